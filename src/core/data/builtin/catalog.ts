/**
 * The built-in datasets: their descriptions, and writing one into a folder
 * (`asl-run data make NAME --out DIR`).
 */
import * as fs from 'fs';
import * as path from 'path';
import { DataError } from '../records';
import { openObject, type IssueLabel } from '../../schema';
import { BuiltinGenerator, BuiltinOptions, givenOptionsSchema, resolveOptions } from './generator';
import { MNIST_DETECTION } from './mnist-detection';
import { MNIST_FOLDER } from './mnist-folder';
import { MNIST_MULTILABEL } from './mnist-multilabel';

/** Bumped whenever a generator's output changes, so that caches of old versions are not reused. */
export const BUILTIN_VERSION = 1;

/** Written at the dataset root: what generated it. */
export const MANIFEST_FILE = 'builtin.json';

const GENERATORS: BuiltinGenerator[] = [MNIST_MULTILABEL, MNIST_FOLDER, MNIST_DETECTION];

export interface BuiltinDescription {
  name: string;
  task: BuiltinGenerator['task'];
  format: BuiltinGenerator['format'];
  description: string;
  defaults: BuiltinOptions;
  /** Option name → what it does. */
  optionHelp: Record<string, string>;
  readerOptions: BuiltinGenerator['readerOptions'];
}

export const BUILTIN_DATASETS: readonly BuiltinDescription[] = GENERATORS.map((g) => ({
  name: g.name,
  task: g.task,
  format: g.format,
  description: g.description,
  defaults: Object.fromEntries(Object.entries(g.options).map(([k, spec]) => [k, spec.default])),
  optionHelp: Object.fromEntries(Object.entries(g.options).map(([k, spec]) => [k, spec.help])),
  readerOptions: g.readerOptions,
}));

/** The generator called `name`, or a DataError listing the known names. */
export function builtinGenerator(name: string): BuiltinGenerator {
  const generator = GENERATORS.find((g) => g.name === name);
  if (!generator) throw new DataError(`unknown built-in dataset '${name}' (known: ${GENERATORS.map((g) => g.name).join(', ')})`);
  return generator;
}

/**
 * What a config's `data.builtinOptions` may hold for built-in dataset `name`: that generator's
 * options (each optional), so a bad one is named where the user wrote it (flag or file) before
 * anything runs. Any object for a name that is no built-in dataset (reported where the data is located).
 */
export function builtinOptionsSchema(name: string) {
  const generator = GENERATORS.find((g) => g.name === name);
  return generator ? givenOptionsSchema(generator) : openObject();
}

/** Writes the dataset with already resolved options into `root` (created; must be absent or empty). */
export function writeResolved(generator: BuiltinGenerator, root: string, options: BuiltinOptions): void {
  if (fs.existsSync(root) && fs.readdirSync(root).length > 0) throw new DataError(`${root}: output folder is not empty`);
  fs.mkdirSync(root, { recursive: true });
  generator.write(root, options);
  const manifest = { name: generator.name, version: BUILTIN_VERSION, task: generator.task, format: generator.format, options, readerOptions: generator.readerOptions };
  fs.writeFileSync(path.join(root, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
}

/**
 * Generates built-in dataset `name` into `outDir` (absent or empty) with `options` (unknown or
 * out-of-range options are ConfigErrors naming them through `label`; missing ones take the
 * defaults). Returns the absolute root.
 */
export function writeBuiltinDataset(name: string, outDir: string, options: unknown = {}, label?: IssueLabel): string {
  const generator = builtinGenerator(name);
  const root = path.resolve(outDir);
  writeResolved(generator, root, resolveOptions(generator, options, label));
  return root;
}
