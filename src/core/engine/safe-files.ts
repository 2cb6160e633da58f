/**
 * Writing files so that neither a kill nor a full or read-only disk leaves a torn file, a stray
 * temporary or an error that names no path. A file is written to `<file>.tmp-<pid>` and renamed
 * over the target; a failed write removes its temporary, and one left by a killed process (its
 * pid no longer alive) is swept by the next writer of the folder.
 */
import * as fs from 'fs';
import * as path from 'path';

/** A write that failed at `file`; the message names the file and the system's reason. */
export class DiskWriteError extends Error {
  constructor(readonly file: string, readonly code: string | undefined, message: string) {
    super(message);
  }
}

/** `ENOSPC: no space left on device` from a Node fs error (its message ends in the syscall and path). */
export function fsReason(err: unknown): string {
  const { code, message } = err as NodeJS.ErrnoException;
  const head = /^([A-Z0-9_]+: [^,]+)/.exec(message ?? '');
  return head ? head[1] : code ?? String(message);
}

function writeError(file: string, err: unknown): DiskWriteError {
  if (err instanceof DiskWriteError) return err;
  return new DiskWriteError(file, (err as NodeJS.ErrnoException).code, `${file}: cannot write (${fsReason(err)})`);
}

export function temporaryName(file: string): string {
  return `${file}.tmp-${process.pid}`;
}

/** Whether process `pid` runs on this host (EPERM: it runs, as another user). */
export function pidIsAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Writes `chunks` to `file` atomically. `durable` also fsyncs the file before the rename and the
 * folder after it, so the new content survives a power loss (checkpoints).
 */
export function writeFileAtomic(file: string, chunks: (string | Uint8Array)[], durable = false): void {
  const tmp = temporaryName(file);
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      for (const chunk of chunks) fs.writeSync(fd, typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
      if (durable) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw writeError(file, err);
  }
  if (durable) {
    const dir = fs.openSync(path.dirname(file), 'r');
    try {
      fs.fsyncSync(dir);
    } finally {
      fs.closeSync(dir);
    }
  }
}

/** Appends `text` to `file`, naming the file when the disk refuses. */
export function appendFileNamed(file: string, text: string): void {
  try {
    fs.appendFileSync(file, text);
  } catch (err) {
    throw writeError(file, err);
  }
}

/**
 * Creates folder `dir` (and its parents). A read-only or unwritable place is named as such: with
 * `recursive`, Node reports a missing parent on a read-only disk as ENOENT of the folder itself.
 */
export function makeFolder(dir: string, what: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    let existing = path.dirname(path.resolve(dir));
    while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
    let reason = fsReason(err);
    try {
      fs.accessSync(existing, fs.constants.W_OK);
    } catch (access) {
      reason = `${existing} is not writable: ${fsReason(access)}`;
    }
    throw new DiskWriteError(dir, (err as NodeJS.ErrnoException).code, `${dir}: cannot create the ${what} (${reason})`);
  }
}

/** Removes the `*.tmp-<pid>` files in `dir` left by processes no longer alive; returns their names. */
export function sweepTemporaries(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const swept: string[] = [];
  for (const name of names) {
    const owner = /\.tmp-(\d+)$/.exec(name);
    if (!owner || Number(owner[1]) === process.pid || pidIsAlive(Number(owner[1]))) continue;
    fs.rmSync(path.join(dir, name), { recursive: true, force: true });
    swept.push(name);
  }
  return swept;
}
