/** Runs the built CLI (dist/, built by `npm test`'s pretest) as a real child process. */
import { spawn, spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '../..');
export const BIN = path.join(ROOT, 'bin', 'asl-run.js');

/** A private cache so tests never touch (or depend on) the user's ~/.cache/asl-run. */
export const TEST_CACHE = fs.mkdtempSync(path.join(os.tmpdir(), 'asl-run-cache-'));

/** Runs the CLI to its end; `env` adds to the test process's environment. */
export function cli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    encoding: 'utf8',
    env: { ...process.env, ASL_RUN_CACHE: TEST_CACHE, ...options.env },
    timeout: 300_000,
  });
}

/** Starts the CLI without waiting; for kill/interrupt tests. `env` adds to the test process's environment. */
export function cliAsync(args: string[], env: Record<string, string> = {}) {
  return spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ASL_RUN_CACHE: TEST_CACHE, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolves once `file` exists (polled every 10 ms); rejects after `timeoutMs`. */
export function waitFor(file: string, timeoutMs: number): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (fs.existsSync(file)) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${file}`));
      setTimeout(poll, 10);
    };
    poll();
  });
}

const created: string[] = [TEST_CACHE];

export function tmpDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

// Every test file importing this module leaves no temporary folders behind.
afterAll(() => {
  for (const dir of created) fs.rmSync(dir, { recursive: true, force: true });
});

/** The error line of a refused command: exit 1, no stack trace, its one line last on stderr. */
export function refusal(r: SpawnSyncReturns<string>): string {
  expect(r.status).toBe(1);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  return r.stderr.trim().split('\n').pop()!;
}

/** The loss of a run's first training step, from its log.jsonl. */
export function firstStepLoss(runDir: string): number {
  const records = fs.readFileSync(path.join(runDir, 'log.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  return records.find((r) => r.type === 'step' && r.step === 1).loss;
}
