/**
 * End to end through the real CLI: a tiny built-in dataset written to disk, trained, killed with
 * SIGKILL mid-run and resumed (bit-identical to an uninterrupted run), Ctrl-C and SIGTERM, eval, predict, and
 * bad input answered with one line.
 */
import * as fs from 'fs';
import * as path from 'path';
import { cli, cliAsync, tmpDir, waitFor } from './run-cli';

const work = tmpDir('asl-run-train-');
const data = path.join(work, 'data');
const base = ['--task', 'multilabel', '--epochs', '4', '--batch-size', '16', '--image-size', '32', '--backend', 'wasm', '--seed', '3', '--log-every', '1', '--lr', '0.01'];
const common = [...base, '--data', data];

function readJson(file: string) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

beforeAll(() => {
  const r = cli(['data', 'make', 'mnist-multilabel', '--out', data, '--options', '{"trainCount":96,"valCount":48}']);
  expect(r.status).toBe(0);
});

describe('asl-run train (multilabel)', () => {
  const full = path.join(work, 'full');

  it('trains, logs, checkpoints, saves a loadable model and metrics; the loss falls', () => {
    const r = cli([...common, '--out', full]);
    expect(r.stderr).toContain('backend wasm');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^multilabel\/asl: mAP \d+\.\d+/);
    const metrics = readJson(path.join(full, 'metrics.json'));
    expect(metrics).toMatchObject({ task: 'multilabel', loss: 'asl', backend: 'wasm', epochs: 4 });
    expect(metrics.metrics.mAP).toBeGreaterThan(0);
    const epochs = fs.readFileSync(path.join(full, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'epoch');
    expect(epochs).toHaveLength(4);
    expect(epochs[3].trainLoss).toBeLessThan(epochs[0].trainLoss);
    const config = readJson(path.join(full, 'config.json'));
    expect(config.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(config.train.seed).toBe(3);
    expect(fs.existsSync(path.join(full, 'model', 'model.json'))).toBe(true);
    expect(fs.existsSync(path.join(full, 'checkpoint', 'last.ckpt'))).toBe(true);
  });

  it('--profile prints where the time went and saves it in metrics.json (not in config.json); the summary has the peak RSS', () => {
    const run = path.join(work, 'profiled');
    const oneEpoch = common.map((arg, i) => (common[i - 1] === '--epochs' ? '1' : arg));
    const r = cli([...oneEpoch, '--profile', '--out', run]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/, peak RSS \d+ MiB\)\n$/);
    expect(r.stderr).toMatch(/profile: where the wall time went \([\d.]+ s\)\n(  .+\n){9}  total +[\d.]+ s +100\.0 %/);
    const metrics = readJson(path.join(run, 'metrics.json'));
    expect(metrics.peakRssMiB).toBeGreaterThan(0);
    expect(metrics.profile.sections.map((e: { section: string }) => e.section)).toEqual(
      ['setup', 'data', 'step', 'update', 'ema', 'evaluation', 'checkpoint', 'logging', 'final save'],
    );
    expect(metrics.profile.sections.reduce((s: number, e: { share: number }) => s + e.share, 0)).toBeCloseTo(1, 9);
    expect(readJson(path.join(run, 'config.json'))).not.toHaveProperty('profile');
  });

  it('resumes a SIGKILLed run from its last checkpoint to bit-identical weights and metrics', async () => {
    const killed = path.join(work, 'killed');
    const child = cliAsync([...common, '--out', killed]);
    await waitFor(path.join(killed, 'checkpoint', 'last.ckpt'), 240_000);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    expect(fs.existsSync(path.join(killed, 'metrics.json'))).toBe(false);
    const r = cli(['--resume', killed, '--backend', 'wasm']);
    expect(r.status).toBe(0);
    expect(readJson(path.join(killed, 'metrics.json')).metrics).toEqual(readJson(path.join(full, 'metrics.json')).metrics);
    const weights = (dir: string) => fs.readFileSync(path.join(dir, 'model', 'weights.bin'));
    expect(weights(killed).equals(weights(full))).toBe(true);
  });

  // Ctrl-C, and a scheduler's SIGTERM before it kills the job.
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('saves a checkpoint on %s (exit %i) and resumes from it', async (signal, exitCode) => {
    const interrupted = path.join(work, `interrupted-${signal}`);
    const child = cliAsync([...common, '--out', interrupted]);
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    await waitFor(path.join(interrupted, 'log.jsonl'), 240_000);
    child.kill(signal);
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(exitCode);
    expect(stderr).toMatch(new RegExp(`asl-run: interrupted \\(${signal}\\) at step \\d+; checkpoint saved to `));
    expect(fs.existsSync(path.join(interrupted, 'checkpoint', 'last.ckpt'))).toBe(true);
    const r = cli(['--resume', interrupted, '--backend', 'wasm']);
    expect(r.status).toBe(0);
    expect(readJson(path.join(interrupted, 'metrics.json')).metrics).toEqual(readJson(path.join(full, 'metrics.json')).metrics);
  });

  it('eval reproduces the run metrics and predict scores every class', () => {
    const e = cli(['eval', '--run', full, '--backend', 'wasm']);
    expect(e.status).toBe(0);
    expect(JSON.parse(e.stdout).metrics.mAP).toBeCloseTo(readJson(path.join(full, 'metrics.json')).metrics.mAP, 6);
    const image = path.join(data, 'val', fs.readdirSync(path.join(data, 'val')).sort()[0]);
    const p = cli(['predict', '--run', full, '--backend', 'wasm', image]);
    expect(p.status).toBe(0);
    const [prediction] = JSON.parse(p.stdout);
    expect(prediction.image).toBe(image);
    expect(Object.keys(prediction.scores)).toHaveLength(10);
    expect(prediction.top).toHaveLength(5);
  });

  it.each([
    [['--loss', 'ce'], /^asl-run: --loss ce: a softmax loss cannot train the multilabel task, which needs a sigmoid loss$/],
    [['--loss-params', '{"gammaNeg":-1}'], /^asl-run: asl: gammaNeg: expected a number >= 0, got -1$/],
    [['--loss-params', '{"gamaNeg":1}'], /^asl-run: asl: unknown parameter 'gamaNeg'/],
    [['--loss', 'nope'], /^asl-run: unknown loss 'nope' \(known: asl, asl-optimized/],
    [['--config', '/no/such.json'], /^asl-run: \/no\/such\.json: cannot read \(ENOENT\)$/],
  ])('answers bad input %j with one line and exit 1', (args, message) => {
    const r = cli([...common, '--out', path.join(work, 'bad'), ...args]);
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines[lines.length - 1]).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('stops on a non-finite loss naming the step, and keeps the last good checkpoint', () => {
    // Finite on the loader's 3-row probe, NaN from training step 3 on (after the first epoch's checkpoint).
    const plugin = path.join(work, 'nan-later.js');
    fs.writeFileSync(plugin, `
      let calls = 0;
      exports.register = (registry, { tf }) => registry.register({
        name: 'nan-later', kind: 'sigmoid', defaults: {}, validate: (p) => p,
        create: (params) => ({ name: 'nan-later', kind: 'sigmoid', params, compute: (logits, targets, options = {}) => tf.tidy(() => {
          const bce = tf.losses.sigmoidCrossEntropy(targets, logits, undefined, 0, tf.Reduction.NONE);
          if (options.reduction === 'none') return bce;
          calls += logits.shape[0] > 3 ? 1 : 0;
          return calls > 7 ? bce.sum().mul(NaN) : bce.sum();
        }) }),
      });`);
    const run = path.join(work, 'nan');
    const r = cli([...common, '--plugin', plugin, '--loss', 'nan-later', '--out', run]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n').pop()).toMatch(/^asl-run: step 7 \(epoch 2, batch 2\): loss is NaN, gradient norm NaN; stopped before updating the weights — the checkpoint \S*nan\/checkpoint\/last\.ckpt from the end of epoch 1 is kept$/);
    expect(fs.existsSync(path.join(run, 'checkpoint', 'last.ckpt'))).toBe(true);
    expect(fs.existsSync(path.join(run, 'metrics.json'))).toBe(false);
  });

  it('names a missing data folder', () => {
    const r = cli([...base, '--data', '/no/such/dir', '--out', path.join(work, 'bad')]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n').pop()).toBe('asl-run: /no/such/dir: data folder not found');
  });

  it('refuses to resume a folder without a checkpoint, naming it', () => {
    const r = cli(['--resume', path.join(work, 'nothing-here'), '--backend', 'wasm']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/nothing-here\/config\.json: cannot read run config \(ENOENT\)/);
  });
});
