/**
 * The cache of generated built-in datasets: `<cache>/<name>-<options hash>-v<version>/` under
 * `cacheDir`, else $ASL_RUN_CACHE, else ~/.cache/asl-run. A dataset is generated into a temporary
 * folder beside it and renamed into place (cache-entry.ts), so an interrupted generation never
 * leaves a partial dataset under the final name.
 */
import * as fs from 'fs';
import * as path from 'path';
import { BUILTIN_VERSION, writeResolved } from './catalog';
import { BuiltinGenerator, resolveOptions } from './generator';
import { abandonCacheEntry, beginCacheEntry, commitCacheEntry, contentHash, defaultCacheDir } from '../../cache-entry';

export interface EnsureBuiltinOptions {
  /** Cache root; default $ASL_RUN_CACHE or ~/.cache/asl-run. */
  cacheDir?: string;
  /** The dataset's own options (see `asl-run data list`). */
  [option: string]: unknown;
}

/** The root folder of the built-in dataset of `generator` with `options`, generating it on first use. */
export function ensureBuiltinDataset(generator: BuiltinGenerator, { cacheDir, ...given }: EnsureBuiltinOptions = {}): string {
  const { name } = generator;
  const options = resolveOptions(generator, given);
  const cache = path.resolve(cacheDir ?? defaultCacheDir());
  const key = `${name}-${contentHash(options)}-v${BUILTIN_VERSION}`;
  const root = path.join(cache, key);
  if (fs.existsSync(root)) return root;
  const entry = beginCacheEntry(cache, key);
  try {
    writeResolved(generator, entry.tmp, options);
  } catch (err) {
    return abandonCacheEntry(entry, err);
  }
  return commitCacheEntry(entry);
}
