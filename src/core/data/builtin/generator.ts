/** What a built-in dataset generator declares: its task, format, numeric options and writer. */
import { integerIn, numberIn, parseOrThrow, z, type IssueLabel } from '../../schema';

/** One numeric option, as plain data (what `asl-run data list` shows, and what a plugin's generator can declare). */
export interface OptionSpec {
  default: number;
  /** Inclusive bounds. */
  min: number;
  max: number;
  integer: boolean;
  help: string;
}

/** The random seed option every built-in generator takes. */
export const SEED_OPTION: OptionSpec = { default: 0, min: 0, max: 2 ** 31 - 1, integer: true, help: 'random seed' };

export type BuiltinOptions = Record<string, number>;

export interface BuiltinGenerator {
  name: string;
  task: 'multilabel' | 'singlelabel' | 'detection';
  /** The layout written, as resolveSplits finds it. */
  format: 'coco' | 'imagefolder';
  description: string;
  options: Record<string, OptionSpec>;
  /** Options the task should pass to the reader (e.g. allowEmpty where labels may be dropped). */
  readerOptions: { allowEmpty?: boolean };
  /** Writes the whole dataset into the existing empty folder `root`; `options` are resolved. */
  write(root: string, options: BuiltinOptions): void;
}

function optionSchema(spec: OptionSpec): z.ZodNumber {
  const range = { min: spec.min, max: spec.max };
  return (spec.integer ? integerIn(range) : numberIn(range)).describe(spec.help);
}

const object = <T extends z.ZodRawShape>(shape: T) => z.strictObject(shape, { error: 'an object' });

/**
 * The generator's options as given by a user: every key optional (a config keeps only what the
 * user set; the defaults are the generator's), unknown keys refused.
 */
export function givenOptionsSchema(generator: BuiltinGenerator) {
  return object(Object.fromEntries(Object.entries(generator.options).map(([key, spec]) => [key, optionSchema(spec).optional()])));
}

/** The generator's options completed with its defaults. */
function resolvedOptionsSchema(generator: BuiltinGenerator) {
  return object(Object.fromEntries(Object.entries(generator.options).map(([key, spec]) => [key, optionSchema(spec).default(spec.default)])));
}

/** Names an option of a generator called from code (no flag or file to name): `built-in dataset 'mnist': trainCount`. */
function generatorLabel(generator: BuiltinGenerator): IssueLabel {
  const where = `built-in dataset '${generator.name}'`;
  return (keyPath, unknownKey) => (unknownKey || keyPath.length === 0 ? where : `${where}: ${keyPath.join('.')}`);
}

/**
 * `given` checked against the generator's options and completed with defaults; a problem is a
 * ConfigError of one line, `<label>: expected an integer in [1, 1000000], got 0` or
 * `<label>: unknown option 'x' (known: …)`.
 * @param label names the options' source (default: the generator itself).
 */
export function resolveOptions(generator: BuiltinGenerator, given: unknown, label: IssueLabel = generatorLabel(generator)): BuiltinOptions {
  return parseOrThrow(resolvedOptionsSchema(generator), given, label);
}
