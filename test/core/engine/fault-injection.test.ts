/**
 * Faults a real user meets, through the real CLI (dist/): two writers into one run folder, SIGKILL
 * at random moments then --resume, a full disk at the checkpoint and model writes, damaged and
 * truncated weights and checkpoints, and a new run into a finished run's folder. Tiny images and
 * few steps: a run here takes a few seconds.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { BIN, cli, cliAsync, ROOT, TEST_CACHE, tmpDir, waitFor } from '../../cli/run-cli';
import { readCheckpoint } from '../../../src/core/engine/checkpoint';

const work = tmpDir('asl-run-faults-');
const data = path.join(work, 'data');
const flags: Record<string, string> = { task: 'multilabel', epochs: '3', 'batch-size': '16', 'image-size': '32', backend: 'wasm', seed: '5', lr: '0.01', data };
/** The common flags, with `changed` ones replaced (a flag given twice is an error). */
const withFlags = (changed: Record<string, string> = {}) => [...Object.entries({ ...flags, ...changed }).flatMap(([k, v]) => [`--${k}`, v]), '--quiet'];
const common = withFlags();
const PRELOAD = path.join(__dirname, 'enospc-preload.js');

function readJson(file: string) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}

/** Every file under `dir`, relative, sorted. */
function listTree(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

/** The contents of every file under `dir`, to show that a refused command changed nothing. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(listTree(dir).map((f) => [f, fs.readFileSync(path.join(dir, f)).toString('base64')]));
}

/** The CLI with writes into files matching `pattern` failing with ENOSPC from the `from`-th such file on. */
function cliWithFullDisk(args: string[], pattern: string, from = 1) {
  return spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ASL_RUN_CACHE: TEST_CACHE, NODE_OPTIONS: `--require ${PRELOAD}`, ASL_FAULT_ENOSPC: pattern, ASL_FAULT_ENOSPC_FROM: String(from) },
    timeout: 120_000,
  });
}

const reference = path.join(work, 'reference');

beforeAll(() => {
  expect(cli(['data', 'make', 'mnist-multilabel', '--out', data, '--options', '{"trainCount":96,"valCount":32}']).status).toBe(0);
  const r = cli([...common, '--out', reference]);
  expect([r.status, r.stderr]).toEqual([0, expect.any(String)]);
});

describe('fault injection', () => {
  it('a second writer into a run folder is refused with one line naming the owner; the first run\'s results are intact', async () => {
    const run = path.join(work, 'concurrent');
    const first = cliAsync([...common, '--out', run]);
    const firstExit = new Promise<number | null>((resolve) => first.on('exit', resolve));
    await waitFor(path.join(run, 'log.jsonl'), 60_000);
    // Paused, not ended: its pid stays alive while the others try, however fast it would have finished.
    first.kill('SIGSTOP');
    const owner = new RegExp(`^asl-run: ${run}: in use by another asl-run \\(pid ${first.pid}, started [^)]+\\); wait for it to finish, or remove ${run}/run\\.lock if that process is gone$`);
    for (const second of [[...common, '--out', run], [...common, '--out', run, '--overwrite'], ['--resume', run, '--backend', 'wasm'], ['eval', '--run', run, '--backend', 'wasm']]) {
      const r = cli(second);
      expect(r.status).toBe(1);
      expect(lastLine(r.stderr)).toMatch(owner);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    first.kill('SIGCONT');
    expect(await firstExit).toBe(0);
    expect(readJson(path.join(run, 'metrics.json')).metrics).toEqual(readJson(path.join(reference, 'metrics.json')).metrics);
    const records = fs.readFileSync(path.join(run, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(records.filter((r) => r.type === 'epoch').map((r) => r.epoch)).toEqual([0, 1, 2]);
    expect(fs.existsSync(path.join(run, 'run.lock'))).toBe(false);
  });

  it('SIGKILL at random moments, then --resume: the run finishes with the uninterrupted run\'s metrics and no temporaries or lock remain', async () => {
    const run = path.join(work, 'killed');
    const delays: number[] = [];
    for (let round = 0; round < 2; round++) {
      const resume = fs.existsSync(path.join(run, 'checkpoint', 'last.ckpt'));
      const child = cliAsync(resume ? ['--resume', run, '--backend', 'wasm', '--quiet'] : [...common, '--out', run, '--overwrite']);
      const exit = new Promise((resolve) => child.on('exit', resolve));
      // Somewhere between start-up and the end of training (a run here takes about 3 s).
      const delay = 800 + Math.floor(Math.random() * 2500);
      delays.push(delay);
      const timer = setTimeout(() => child.kill('SIGKILL'), delay);
      await exit;
      clearTimeout(timer);
    }
    // A temporary of a killed checkpoint write, as a kill inside writeCheckpoint leaves it.
    fs.mkdirSync(path.join(run, 'checkpoint'), { recursive: true });
    fs.writeFileSync(path.join(run, 'checkpoint', 'last.ckpt.tmp-999999999'), 'torn');
    const finished = fs.existsSync(path.join(run, 'metrics.json'));
    const lockLeft = fs.existsSync(path.join(run, 'run.lock'));
    const resume = fs.existsSync(path.join(run, 'checkpoint', 'last.ckpt'));
    // Not --quiet: the notes about the swept temporary and the taken-over lock are checked.
    const r = cli(resume ? ['--resume', run, '--backend', 'wasm'] : [...common.filter((f) => f !== '--quiet'), '--out', run, '--overwrite']);
    expect([r.status, r.stderr, delays]).toEqual([0, expect.any(String), delays]);
    if (resume) expect(r.stderr).toContain(`removed 1 temporary file(s) left by a killed run: ${run}/checkpoint/last.ckpt.tmp-999999999`);
    if (lockLeft) expect(r.stderr).toMatch(new RegExp(`asl-run: ${run}: taking over the run lock of pid \\d+, which is no longer running`));
    expect(readJson(path.join(run, 'metrics.json')).metrics).toEqual(readJson(path.join(reference, 'metrics.json')).metrics);
    expect(finished || fs.readFileSync(path.join(run, 'model', 'weights.bin')).equals(fs.readFileSync(path.join(reference, 'model', 'weights.bin')))).toBe(true);
    expect(listTree(run).filter((f) => /\.tmp-|run\.lock/.test(f))).toEqual([]);
  });

  it('a second compare sweep into the same folder stops at the cell the first is training, with one line', async () => {
    const out = path.join(work, 'sweep');
    const sweep = ['compare', '--tasks', 'multilabel', '--losses', 'bce', '--seeds', '1', '--data', `multilabel=${data}`,
      '--epochs', '3', '--image-size', '32', '--batch-size', '16', '--backend', 'wasm', '--quiet', '--out', out];
    const first = cliAsync(sweep);
    const firstExit = new Promise<number | null>((resolve) => first.on('exit', resolve));
    const cell = path.join(out, 'runs', 'multilabel', 'bce', 'seed-0');
    await waitFor(path.join(cell, 'log.jsonl'), 60_000);
    first.kill('SIGSTOP');
    const r = cli(sweep);
    first.kill('SIGCONT');
    expect(r.status).toBe(1);
    expect(lastLine(r.stderr)).toMatch(new RegExp(`^asl-run: ${cell}: in use by another asl-run \\(pid ${first.pid}, started [^)]+\\); wait for it`));
    expect(await firstExit).toBe(0);
    expect(readJson(path.join(out, 'results.json')).cells.map((c: { status: string }) => c.status)).toEqual(['ok']);
  });

  it('a process that exits while holding a run folder (a second Ctrl-C calls process.exit) leaves no lock', () => {
    const run = path.join(work, 'exiting');
    fs.mkdirSync(run);
    const lockModule = path.join(ROOT, 'dist', 'core', 'engine', 'run-lock.js');
    const child = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(lockModule)}).RunLock.acquire(${JSON.stringify(run)}, () => {}); process.exit(130)`]);
    expect(child.status).toBe(130);
    expect(fs.readdirSync(run)).toEqual([]);
  });

  it.each([
    ['checkpoint', 'last\\.ckpt\\.tmp', 2, 'checkpoint/last.ckpt', 'from the end of epoch 1'],
    ['model', 'weights\\.bin\\.tmp', 1, 'model/weights.bin', 'from the end of epoch 3'],
  ])('a full disk at the %s write: one line naming the file and what was kept; the checkpoint is intact and --resume finishes', (_what, pattern, from, file, kept) => {
    const run = path.join(work, `full-${_what}`);
    const r = cliWithFullDisk([...common, '--out', run], pattern, from);
    expect(r.status).toBe(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(lastLine(r.stderr)).toBe(
      `asl-run: ${run}/${file}: cannot write (ENOSPC: no space left on device); the checkpoint ${run}/checkpoint/last.ckpt ${kept} is kept (continue with --resume ${run})`,
    );
    expect(readCheckpoint<{ epoch: number }>(path.join(run, 'checkpoint', 'last.ckpt')).meta.epoch).toBe(Number(kept.slice(-1)));
    expect(listTree(run).filter((f) => /\.tmp-|run\.lock|metrics\.json/.test(f))).toEqual([]);
    expect(cli(['--resume', run, '--backend', 'wasm', '--quiet']).status).toBe(0);
    expect(readJson(path.join(run, 'metrics.json')).metrics).toEqual(readJson(path.join(reference, 'metrics.json')).metrics);
  });

  describe('damaged weights are never used', () => {
    const image = () => path.join(data, 'val', fs.readdirSync(path.join(data, 'val')).sort()[0]);
    const damaged = (name: string, damage: (run: string) => void) => {
      const run = path.join(work, name);
      fs.cpSync(reference, run, { recursive: true });
      damage(run);
      return run;
    };
    const flipByte = (file: string, at: number) => {
      const bytes = fs.readFileSync(file);
      bytes[at] ^= 0x10;
      fs.writeFileSync(file, bytes);
    };

    it.each([
      ['a changed byte', ['eval', 'predict'], (run: string) => flipByte(path.join(run, 'model', 'weights.bin'), 1234), /^asl-run: (\S+)\/model\/weights\.bin: checksum mismatch \(sha256 [0-9a-f]{12}…, SHA256SUMS says [0-9a-f]{12}…\)/],
      // predict loads through the same checked loader as eval.
      ['a truncated file', ['eval'], (run: string) => fs.truncateSync(path.join(run, 'model', 'weights.bin'), 4096), /^asl-run: (\S+)\/model\/weights\.bin: truncated \(4096 bytes; model\.json describes \d+\)$/],
    ])('%s in weights.bin is refused by %j, naming the file, and nothing is written', (name, commands, damage, message) => {
      const run = damaged(`weights-${name.replace(/ /g, '-')}`, damage);
      const before = snapshot(run);
      const calls: Record<string, string[]> = { eval: ['eval', '--run', run, '--backend', 'wasm'], predict: ['predict', '--run', run, '--backend', 'wasm', image()] };
      for (const args of commands.map((c) => calls[c])) {
        const r = cli(args);
        expect(r.status).toBe(1);
        expect(r.stdout).toBe('');
        expect(lastLine(r.stderr)).toMatch(message);
        expect(message.exec(lastLine(r.stderr))![1]).toBe(run);
      }
      expect(snapshot(run)).toEqual(before);
    });

    it.each([
      ['a changed byte', (file: string) => flipByte(file, fs.statSync(file).size - 100), 'checksum mismatch (the file was damaged or altered after it was written)'],
      ['a truncated file', (file: string) => fs.truncateSync(file, fs.statSync(file).size - 1000), 'truncated checkpoint'],
    ])('--resume refuses a checkpoint with %s, naming it, and changes nothing', (name, damage, message) => {
      const run = damaged(`checkpoint-${name.replace(/ /g, '-')}`, (dir) => damage(path.join(dir, 'checkpoint', 'last.ckpt')));
      const before = snapshot(run);
      const r = cli(['--resume', run, '--backend', 'wasm', '--quiet']);
      expect(r.status).toBe(1);
      expect(lastLine(r.stderr)).toContain(`asl-run: ${run}/checkpoint/last.ckpt: ${message}`);
      expect(snapshot(run)).toEqual(before);
    });
  });

  it('a new run into a finished run\'s folder is refused (the run untouched); with --overwrite it runs', () => {
    const run = path.join(work, 'finished');
    fs.cpSync(reference, run, { recursive: true });
    const before = snapshot(run);
    const r = cli([...withFlags({ seed: '6' }), '--out', run]);
    expect(r.status).toBe(1);
    expect(lastLine(r.stderr)).toBe(
      `asl-run: ${run}: already holds a run (config.json, checkpoint/last.ckpt, model); continue it with --resume ${run}, or pass --overwrite to replace it`,
    );
    expect(snapshot(run)).toEqual(before);
    const again = cli([...withFlags({ seed: '6' }), '--out', run, '--overwrite']);
    expect(again.status).toBe(0);
    expect(readJson(path.join(run, 'config.json')).train.seed).toBe(6);
    expect(readJson(path.join(run, 'metrics.json')).epochs).toBe(3);
    expect(listTree(run).filter((f) => /\.tmp-|run\.lock|eval\.json/.test(f))).toEqual([]);
  });

  it('an update that overflows the weights stops naming the step, before any checkpoint, and says none exists yet', () => {
    const run = path.join(work, 'overflow');
    const r = cli([...withFlags({ lr: '1e39', schedule: 'constant' }), '--out', run]);
    expect(r.status).toBe(1);
    expect(lastLine(r.stderr)).toMatch(
      /^asl-run: step 0 \(epoch 1, batch 1\): the update made weights non-finite \(loss [\d.]+, gradient norm [\d.]+; try a lower --lr or --grad-clip\); stopped before saving them — no checkpoint was written yet \(the first is written at the end of epoch 1\)$/,
    );
    expect(listTree(run)).toEqual(['config.json', 'log.jsonl'].filter((f) => fs.existsSync(path.join(run, f))));
  });
});
