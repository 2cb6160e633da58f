/**
 * The built-in datasets: the registry the composition root fills with the generators, their
 * descriptions, and writing one into a folder (`asl-run data make NAME --out DIR`).
 */
import * as fs from 'fs';
import * as path from 'path';
import { DataError } from '../records';
import type { IssueLabel } from '../../schema';
import { BuiltinGenerator, BuiltinOptions, resolveOptions } from './generator';
import { Registry } from '../../registry/registry';

/** Bumped whenever a generator's output changes, so that caches of old versions are not reused. */
export const BUILTIN_VERSION = 1;

/** Written at the dataset root: what generated it. */
export const MANIFEST_FILE = 'builtin.json';

export class DatasetRegistry extends Registry<BuiltinGenerator> {
  constructor(builtins: readonly BuiltinGenerator[] = []) {
    super('built-in dataset', 'data.builtin', builtins);
  }
}

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

/** What `asl-run data list` shows of a generator. */
export function describeDataset(g: BuiltinGenerator): BuiltinDescription {
  return {
    name: g.name,
    task: g.task,
    format: g.format,
    description: g.description,
    defaults: Object.fromEntries(Object.entries(g.options).map(([k, spec]) => [k, spec.default])),
    optionHelp: Object.fromEntries(Object.entries(g.options).map(([k, spec]) => [k, spec.help])),
    readerOptions: g.readerOptions,
  };
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
 * Generates the built-in dataset of `generator` into `outDir` (absent or empty) with `options`
 * (unknown or out-of-range options are ConfigErrors naming them through `label`; missing ones take
 * the defaults). Returns the absolute root.
 */
export function writeBuiltinDataset(generator: BuiltinGenerator, outDir: string, options: unknown = {}, label?: IssueLabel): string {
  const root = path.resolve(outDir);
  writeResolved(generator, root, resolveOptions(generator, options, label));
  return root;
}
