/**
 * Every task through the real CLI with `--backend webgpu` on tiny data written by `data make`:
 * multilabel, singlelabel, FCOS and YOLOX detection train for a few epochs, evaluate, and their
 * training loss falls. The detection run's first logged step is also run on wasm (the check,
 * `--task detection --max-train-images 64 --epochs 1`, at a size this subset affords): same seed, so
 * same initial weights and batch, and its loss must agree as one training step does (steps.test.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { cli, tmpDir } from '../cli/run-cli';
import { describeWebgpu, itReportsTheAdapter } from './webgpu-available';

itReportsTheAdapter('each task end to end through the CLI');

const work = tmpDir('asl-run-webgpu-e2e-');

/** The step and epoch records of a run's log. */
function readLog(run: string): { steps: Array<{ loss: number; gradNorm: number }>; epochs: Array<{ trainLoss: number }> } {
  const records = fs.readFileSync(path.join(run, 'log.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  return { steps: records.filter((r) => r.type === 'step'), epochs: records.filter((r) => r.type === 'epoch') };
}

/** Trains with `args` on `backend` into a new folder; asserts success and the backend line; the folder. */
function train(name: string, backend: string, args: string[]): string {
  const run = path.join(work, `${name}-${backend}`);
  const r = cli([...args, '--backend', backend, '--seed', '5', '--log-every', '1', '--no-ema', '--out', run]);
  expect({ name, status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ name, status: 0, stderr: '' });
  expect(r.stderr).toMatch(new RegExp(`^asl-run: backend ${backend} `, 'm'));
  // Only the summary: Dawn prints the validation errors of a rejected shader to stdout, and the op then
  // leaves its output unwritten instead of failing.
  expect(r.stdout).toMatch(/^[a-z]+\/[a-z-]+: [^\n]+\n$/);
  return run;
}

/**
 * The first step's loss and gradient norm on webgpu against wasm. The difference grows with the
 * terms the focal loss sums (batch × locations × classes), in float32 on both backends: measured
 * 2.9e-5 at batch 4 (steps.test.ts), 5.8e-5 at the batch 32, all of it in the cls term.
 */
const FIRST_STEP_TOLERANCE = 2e-4;

describeWebgpu('asl-run --backend webgpu, every task', () => {
  const data = (name: string) => path.join(work, name);

  beforeAll(() => {
    for (const [name, options] of [
      ['mnist-multilabel', { trainCount: 48, valCount: 16 }],
      ['mnist', { trainCount: 100, valCount: 100 }],
      ['mnist-detection', { trainCount: 16, valCount: 4 }],
    ] as const) {
      expect(cli(['data', 'make', name, '--out', data(name), '--options', JSON.stringify(options)]).status).toBe(0);
    }
  });

  it.each([
    ['multilabel', ['--task', 'multilabel', '--data', data('mnist-multilabel'), '--image-size', '32', '--batch-size', '16', '--epochs', '3', '--lr', '0.01']],
    ['singlelabel', ['--task', 'singlelabel', '--data', data('mnist'), '--image-size', '32', '--batch-size', '25', '--epochs', '3', '--lr', '0.01']],
    ['yolox', ['--task', 'detection', '--head', 'yolox', '--data', data('mnist-detection'), '--image-size', '64', '--batch-size', '8', '--epochs', '3']],
  ])('%s trains, evaluates and its training loss falls', (name, args) => {
    const run = train(name, 'webgpu', args);
    const { epochs } = readLog(run);
    expect(epochs).toHaveLength(3);
    expect(epochs[2].trainLoss).toBeLessThan(epochs[0].trainLoss);
    expect(JSON.parse(fs.readFileSync(path.join(run, 'metrics.json'), 'utf8'))).toMatchObject({ backend: 'webgpu' });
  });

  it('FCOS detection trains, evaluates and its training loss falls; its first step\'s loss is wasm\'s', () => {
    const args = ['--task', 'detection', '--head', 'fcos', '--data', data('mnist-detection'), '--image-size', '64', '--batch-size', '8', '--epochs', '3'];
    const webgpu = readLog(train('fcos', 'webgpu', args));
    expect(webgpu.epochs).toHaveLength(3);
    expect(webgpu.epochs[2].trainLoss).toBeLessThan(webgpu.epochs[0].trainLoss);
    const wasm = readLog(train('fcos', 'wasm', args.map((a, i) => (args[i - 1] === '--epochs' ? '1' : a))));
    for (const key of ['loss', 'gradNorm'] as const) {
      const [first, reference] = [webgpu.steps[0][key], wasm.steps[0][key]];
      expect({ key, first, reference, close: Math.abs(first - reference) / Math.abs(reference) < FIRST_STEP_TOLERANCE }).toEqual({ key, first, reference, close: true });
    }
  });
});
