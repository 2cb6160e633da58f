/**
 * One training step of every task's default model (multilabel, singlelabel, FCOS, YOLOX) on webgpu
 * against the same step on wasm, from the same weights and batch: the task loss, every gradient and
 * the Adam update. The wasm backend's process-wide registrations (gradient overrides for Relu, Sum
 * and Mean; the closed-form batch norm; the one-op Adam, composed of ordinary ops where the
 * backend has no kernel for it) are in place when webgpu runs, so this is what shows that they are
 * right there too. Runs in a process of its own (webgpu-steps.js, on dist/).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describeWebgpu, itReportsTheAdapter } from './webgpu-available';

itReportsTheAdapter('one training step per task against wasm');

/**
 * Measured on Mesa llvmpipe through Dawn's GLES backend (batch 4): loss within 7.6e-8 (multilabel),
 * 9.4e-8 (singlelabel), 2.9e-5 (FCOS) and 0 (YOLOX) of wasm, relative; gradients within 1.1e-5,
 * 7.2e-6, 2.2e-6 and 6.1e-6 of the step's largest gradient; the Adam update bit-identical. The bounds leave room for a
 * hardware GPU's other summation orders (the native TensorFlow backend differs from wasm by up to
 * 4e-3 on these gradients) while a wrong gradient or update is off by its own size.
 */
const LOSS_TOLERANCE = 1e-4;
const GRAD_TOLERANCE = 1e-3;
const UPDATE_TOLERANCE = 1e-6;

describeWebgpu('one training step per task: webgpu against wasm, same weights and batch', () => {
  let cacheDir: string;
  beforeAll(() => {
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'asl-webgpu-steps-'));
  });
  afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

  it('multilabel, singlelabel, FCOS and YOLOX: loss, gradients and Adam update agree, nothing leaks', () => {
    const child = spawnSync(process.execPath, [path.join(__dirname, 'webgpu-steps.js'), cacheDir], { encoding: 'utf8', timeout: 600_000 });
    if (child.status !== 0) throw new Error(`webgpu-steps.js failed: ${child.stderr}`);
    const results = JSON.parse(child.stdout.trim().split('\n').pop()!);
    expect(results.map((r: any) => [r.task, r.taskOptions ?? null])).toEqual([['multilabel', null], ['singlelabel', null], ['detection', null], ['detection', { head: 'yolox' }]]);
    for (const r of results) {
      const name = `${r.task} ${JSON.stringify(r.taskOptions ?? {})}`;
      expect({ name, error: r.error }).toEqual({ name, error: undefined });
      expect({ name, loss: Math.abs(r.loss.webgpu - r.loss.wasm) / Math.abs(r.loss.wasm) < LOSS_TOLERANCE }).toEqual({ name, loss: true });
      expect({ name, grads: r.gradDifference < GRAD_TOLERANCE, update: r.updateDifference < UPDATE_TOLERANCE }).toEqual({ name, grads: true, update: true });
      expect({ name, leaked: r.leaked }).toEqual({ name, leaked: { wasm: 0, webgpu: 0 } });
    }
  }, 600_000);
});
