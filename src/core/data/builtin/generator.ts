/** What a built-in dataset generator declares: its task, format, numeric options and writer. */
import { DataError } from '../records';

export interface OptionSpec {
  default: number;
  /** Inclusive bounds. */
  min: number;
  max: number;
  integer: boolean;
  help: string;
}

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

/** `given` checked against the generator's option specs and completed with defaults. */
export function resolveOptions(generator: BuiltinGenerator, given: Record<string, unknown>): BuiltinOptions {
  const specs = generator.options;
  for (const key of Object.keys(given)) {
    if (!(key in specs)) {
      throw new DataError(`built-in dataset '${generator.name}': unknown option '${key}' (known: ${Object.keys(specs).join(', ')})`);
    }
  }
  const resolved: BuiltinOptions = {};
  for (const [key, spec] of Object.entries(specs)) {
    const value = given[key] ?? spec.default;
    const ok = typeof value === 'number' && Number.isFinite(value) && value >= spec.min && value <= spec.max && (!spec.integer || Number.isInteger(value));
    if (!ok) {
      throw new DataError(
        `built-in dataset '${generator.name}': option '${key}' must be ${spec.integer ? 'an integer' : 'a number'} in [${spec.min}, ${spec.max}], got ${JSON.stringify(value)}`,
      );
    }
    resolved[key] = value as number;
  }
  return resolved;
}
