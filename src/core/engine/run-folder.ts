/**
 * Who may write a run folder, and what a failure leaves in it. A run folder has one writer (the
 * run lock); a folder that already holds a run is continued with `--resume` or replaced with
 * `--overwrite`, never overwritten silently; temporaries of killed writers are swept when the
 * folder is taken; and a failed write says which of the run's results survived it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { describeKeptCheckpoint } from './checkpoint';
import { checkNotLocked, RunLock } from './run-lock';
import { DiskWriteError, makeFolder, sweepTemporaries } from './safe-files';

export const RUN_FILES = {
  config: 'config.json',
  log: 'log.jsonl',
  checkpoint: path.join('checkpoint', 'last.ckpt'),
  model: 'model',
  metrics: 'metrics.json',
} as const;

/** What a run writes, and all that --overwrite removes (anything else in the folder is the user's). */
const RUN_OUTPUTS = [RUN_FILES.config, RUN_FILES.log, path.dirname(RUN_FILES.checkpoint), RUN_FILES.model, RUN_FILES.metrics, 'eval.json', 'detections.json'];

export interface RunFolderMode {
  /** Continue the run in the folder (--resume). */
  resume: boolean;
  /** Replace the run in the folder (--overwrite). */
  overwrite: boolean;
}

/** The folder holds a run that this command would overwrite. */
export class RunExistsError extends Error {}

function refuseExistingRun(runDir: string): void {
  const held = [RUN_FILES.config, RUN_FILES.checkpoint, RUN_FILES.model].filter((name) => fs.existsSync(path.join(runDir, name)));
  if (held.length === 0) return;
  const advice = fs.existsSync(path.join(runDir, RUN_FILES.checkpoint))
    ? `continue it with --resume ${runDir}, or pass --overwrite to replace it`
    : 'it has no checkpoint to resume from; pass --overwrite to replace it';
  throw new RunExistsError(`${runDir}: already holds a run (${held.join(', ')}); ${advice}`);
}

/** Refuses, before anything is prepared or written, a folder another process writes or that holds a run. */
export function checkRunFolder(runDir: string, mode: RunFolderMode): void {
  if (!fs.existsSync(runDir)) return;
  checkNotLocked(runDir);
  if (!mode.resume && !mode.overwrite) refuseExistingRun(runDir);
}

/**
 * Creates and locks `runDir` for this process (release the returned lock when done), checks it
 * again under the lock, removes the earlier run's outputs with --overwrite, and sweeps the
 * temporaries of killed writers.
 */
export function claimRunFolder(runDir: string, mode: RunFolderMode, note: (line: string) => void): RunLock {
  checkRunFolder(runDir, mode);
  makeFolder(runDir, 'run folder');
  const lock = RunLock.acquire(runDir, note);
  try {
    if (!mode.resume) {
      if (mode.overwrite) for (const name of RUN_OUTPUTS) fs.rmSync(path.join(runDir, name), { recursive: true, force: true });
      else refuseExistingRun(runDir);
    }
    const swept = [runDir, path.join(runDir, path.dirname(RUN_FILES.checkpoint)), path.join(runDir, RUN_FILES.model)].flatMap((dir) =>
      sweepTemporaries(dir).map((name) => path.join(dir, name)),
    );
    if (swept.length > 0) note(`asl-run: removed ${swept.length} temporary file(s) left by a killed run: ${swept.join(', ')}`);
  } catch (err) {
    lock.release();
    throw err;
  }
  return lock;
}

/** What a failed run leaves to continue from, for the end of its error message. */
export function describeKept(runDir: string): string {
  const file = path.join(runDir, RUN_FILES.checkpoint);
  return `${describeKeptCheckpoint(file)}${fs.existsSync(file) ? ` (continue with --resume ${runDir})` : ''}`;
}

/** A disk error (full, read-only, no permission) with what survived it; other errors unchanged. */
export function withWhatWasKept(err: unknown, runDir: string): unknown {
  if (!(err instanceof DiskWriteError)) return err;
  return new DiskWriteError(err.file, err.code, `${err.message}; ${describeKept(runDir)}`);
}
