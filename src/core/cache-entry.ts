/**
 * Entries of asl-run's cache (`cacheDir`, else $ASL_RUN_CACHE, else ~/.cache/asl-run): the built-in
 * datasets and the built-in pretrained backbones, each a folder `<cache>/<key>/` that is either
 * whole or absent. An entry is written into a temporary folder beside it and renamed into place,
 * so an interrupted writer never leaves a partial entry under the final name. The temporary
 * folder, `.tmp-<key>.<pid>@<host>-XXXXXX`, is removed when writing fails, and one left by a killed
 * process (its pid gone from this host) is swept by the next writer into the same cache.
 */
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DiskWriteError, fsReason, makeFolder, pidIsAlive } from './engine/safe-files';

export function defaultCacheDir(): string {
  return process.env.ASL_RUN_CACHE || path.join(os.homedir(), '.cache', 'asl-run');
}

/** 12 hex digits of the SHA-256 of `value` as JSON, object keys sorted at every level: equal for equal content, whatever the key order. */
export function contentHash(value: unknown): string {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical);
    if (v !== null && typeof v === 'object') return Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]);
    return v;
  };
  return createHash('sha256').update(JSON.stringify(canonical(value))).digest('hex').slice(0, 12);
}

/** An entry being written: its final folder and the temporary one it is written into. */
export interface CacheEntryWrite {
  root: string;
  tmp: string;
}

const temporaryPrefix = (key: string) => `.tmp-${key}.${process.pid}@${os.hostname()}-`;

/** Removes the temporary folders in `cache` of writers killed on this host. */
function sweepKilledWriters(cache: string): void {
  for (const name of fs.readdirSync(cache)) {
    const owner = /^\.tmp-.+\.(\d+)@(.+)-[^-]{6}$/.exec(name);
    if (owner && owner[2] === os.hostname() && !pidIsAlive(Number(owner[1]))) fs.rmSync(path.join(cache, name), { recursive: true, force: true });
  }
}

/**
 * Starts writing entry `key` of `cache`: a fresh temporary folder beside its final place.
 * @throws DiskWriteError (one line naming the cache) when the cache cannot be created or written
 */
export function beginCacheEntry(cache: string, key: string): CacheEntryWrite {
  makeFolder(cache, 'cache folder');
  try {
    sweepKilledWriters(cache);
    return { root: path.join(cache, key), tmp: fs.mkdtempSync(path.join(cache, temporaryPrefix(key))) };
  } catch (err) {
    throw new DiskWriteError(cache, (err as NodeJS.ErrnoException).code, `${cache}: cannot write to the cache folder (${fsReason(err)}); set $ASL_RUN_CACHE to a writable folder`);
  }
}

/**
 * After a failed write: removes the temporary folder, and returns the entry when another process
 * finished it meanwhile (theirs is as good); otherwise rethrows `err`.
 */
export function abandonCacheEntry(entry: CacheEntryWrite, err: unknown): string {
  fs.rmSync(entry.tmp, { recursive: true, force: true });
  if (fs.existsSync(entry.root)) return entry.root;
  throw err;
}

/** Renames the finished temporary folder into place and returns the entry's folder (another process's, when it finished first). */
export function commitCacheEntry(entry: CacheEntryWrite): string {
  try {
    fs.renameSync(entry.tmp, entry.root);
  } catch (err) {
    return abandonCacheEntry(entry, new DiskWriteError(entry.root, (err as NodeJS.ErrnoException).code, `${entry.root}: cannot write (${fsReason(err)})`));
  }
  return entry.root;
}

/**
 * Removes the entry `root` (found unusable): renamed to a temporary name first, so that no reader
 * meets it half-removed and a kill during the removal leaves only what the next writer sweeps.
 */
export function discardCacheEntry(root: string): void {
  const doomed = path.join(path.dirname(root), `${temporaryPrefix(path.basename(root))}${randomBytes(3).toString('hex')}`);
  try {
    fs.renameSync(root, doomed);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new DiskWriteError(root, (err as NodeJS.ErrnoException).code, `${root}: cannot remove the unusable cache entry (${fsReason(err)}); remove it by hand`);
  }
  fs.rmSync(doomed, { recursive: true, force: true });
}
