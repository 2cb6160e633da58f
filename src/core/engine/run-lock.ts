/**
 * One writer per run folder: `<run>/run.lock` holds the owner's pid, host and start time. It is
 * created with O_EXCL (so of two processes racing for a folder exactly one gets it), removed when
 * the owner finishes, fails or exits (Ctrl-C included), and taken over when its owner is gone: a
 * pid no longer alive on this host (SIGKILL, power loss). A lock from another host is never
 * guessed stale, since its pid cannot be checked from here.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fsReason, pidIsAlive } from './safe-files';

export const LOCK_FILE = 'run.lock';

interface LockOwner {
  pid: number;
  host: string;
  started: string;
}

/** Another process writes into the run folder. */
export class RunFolderBusyError extends Error {}

/** Folders this process holds: a lock naming our own pid but not held here is a leftover of a reused pid. */
const heldHere = new Set<string>();

function readOwner(file: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(fs.readFileSync(file, 'utf8')) as LockOwner;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' ? owner : undefined;
  } catch {
    // Unreadable or half-written (its writer was killed between open and write): no live owner can be named.
    return undefined;
  }
}

/** A lock too young to hold its owner yet may be mid-creation by a racing process. */
const HALF_WRITTEN_GRACE_MS = 5000;

function ownerIsGone(owner: LockOwner | undefined, file: string): boolean {
  if (!owner) {
    try {
      return Date.now() - fs.statSync(file).mtimeMs > HALF_WRITTEN_GRACE_MS;
    } catch {
      return true;
    }
  }
  if (owner.host !== os.hostname()) return false;
  if (owner.pid === process.pid) return !heldHere.has(path.resolve(path.dirname(file)));
  return !pidIsAlive(owner.pid);
}

function busy(runDir: string, owner: LockOwner | undefined): RunFolderBusyError {
  const where = owner?.host === os.hostname() ? '' : ` on host ${owner?.host}`;
  const who = owner ? `pid ${owner.pid}${where}, started ${owner.started}` : 'being locked right now';
  return new RunFolderBusyError(
    `${runDir}: in use by another asl-run (${who}); ` +
      `wait for it to finish, or remove ${path.join(runDir, LOCK_FILE)} if that process is gone`,
  );
}

/** Throws RunFolderBusyError when a live process holds `runDir`; reads only. */
export function checkNotLocked(runDir: string): void {
  const file = path.join(runDir, LOCK_FILE);
  if (!fs.existsSync(file)) return;
  const owner = readOwner(file);
  if (!ownerIsGone(owner, file)) throw busy(runDir, owner);
}

export class RunLock {
  private readonly onExit = () => this.release();
  private released = false;

  private constructor(readonly runDir: string, private readonly file: string) {
    heldHere.add(path.resolve(runDir));
    process.on('exit', this.onExit);
  }

  /**
   * Takes `runDir` (which must exist) for this process. A stale lock is taken over and reported
   * through `note`; a live one throws RunFolderBusyError. Not guarded: two processes taking over
   * the same stale lock within the same few microseconds could both succeed.
   */
  static acquire(runDir: string, note: (line: string) => void): RunLock {
    const file = path.join(runDir, LOCK_FILE);
    const owner: LockOwner = { pid: process.pid, host: os.hostname(), started: new Date().toISOString() };
    for (let attempt = 0; ; attempt++) {
      let fd: number;
      try {
        fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`${file}: cannot create the run lock (${fsReason(err)})`);
        const previous = readOwner(file);
        if (attempt > 0 || !ownerIsGone(previous, file)) throw busy(runDir, previous);
        const was = previous ? `pid ${previous.pid}, which is no longer running` : 'an unreadable lock file';
        note(`asl-run: ${runDir}: taking over the run lock of ${was}`);
        fs.rmSync(file, { force: true });
        continue;
      }
      try {
        fs.writeSync(fd, `${JSON.stringify(owner)}\n`);
      } catch (err) {
        fs.rmSync(file, { force: true });
        throw new Error(`${file}: cannot write the run lock (${fsReason(err)})`);
      } finally {
        fs.closeSync(fd);
      }
      return new RunLock(runDir, file);
    }
  }

  /** Removes the lock; safe to call more than once. */
  release(): void {
    if (this.released) return;
    this.released = true;
    process.removeListener('exit', this.onExit);
    heldHere.delete(path.resolve(this.runDir));
    const owner = readOwner(this.file);
    if (owner?.pid === process.pid && owner.host === os.hostname()) fs.rmSync(this.file, { force: true });
  }
}
