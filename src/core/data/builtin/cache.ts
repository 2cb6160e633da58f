/**
 * The cache of generated built-in datasets: `<cache>/<name>-<options hash>-v<version>/` under
 * `cacheDir`, else $ASL_RUN_CACHE, else ~/.cache/asl-run. A dataset is generated into a temporary
 * folder beside it and renamed into place, so an interrupted generation never leaves a partial
 * dataset under the final name. The temporary folder, `.tmp-<key>.<pid>@<host>-XXXXXX`, is removed
 * when generation fails, and one left by a killed process (its pid gone from this host) is swept
 * by the next generation into the same cache.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BUILTIN_VERSION, writeResolved } from './catalog';
import { BuiltinGenerator, BuiltinOptions, resolveOptions } from './generator';
import { pidIsAlive } from '../../engine/safe-files';

export interface EnsureBuiltinOptions {
  /** Cache root; default $ASL_RUN_CACHE or ~/.cache/asl-run. */
  cacheDir?: string;
  /** The dataset's own options (see `asl-run data list`). */
  [option: string]: unknown;
}

export function defaultCacheDir(): string {
  return process.env.ASL_RUN_CACHE || path.join(os.homedir(), '.cache', 'asl-run');
}

function optionsHash(options: BuiltinOptions): string {
  const canonical = JSON.stringify(Object.keys(options).sort().map((k) => [k, options[k]]));
  return createHash('sha256').update(canonical).digest('hex').slice(0, 12);
}

/** Removes the temporary folders in `cache` of generations killed on this host. */
function sweepKilledGenerations(cache: string): void {
  for (const name of fs.readdirSync(cache)) {
    const owner = /^\.tmp-.+\.(\d+)@(.+)-[^-]{6}$/.exec(name);
    if (owner && owner[2] === os.hostname() && !pidIsAlive(Number(owner[1]))) fs.rmSync(path.join(cache, name), { recursive: true, force: true });
  }
}

/** The root folder of the built-in dataset of `generator` with `options`, generating it on first use. */
export function ensureBuiltinDataset(generator: BuiltinGenerator, { cacheDir, ...given }: EnsureBuiltinOptions = {}): string {
  const { name } = generator;
  const options = resolveOptions(generator, given);
  const cache = path.resolve(cacheDir ?? defaultCacheDir());
  const key = `${name}-${optionsHash(options)}-v${BUILTIN_VERSION}`;
  const root = path.join(cache, key);
  if (fs.existsSync(root)) return root;
  fs.mkdirSync(cache, { recursive: true });
  sweepKilledGenerations(cache);
  const tmp = fs.mkdtempSync(path.join(cache, `.tmp-${key}.${process.pid}@${os.hostname()}-`));
  try {
    writeResolved(generator, tmp, options);
    fs.renameSync(tmp, root);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    // Another process finished the same dataset first: use theirs.
    if (fs.existsSync(root)) return root;
    throw err;
  }
  return root;
}
