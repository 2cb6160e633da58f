import * as fs from 'fs';
import { createHash } from 'crypto';
import { tf } from '../../../src/core/tf';
import { initBackend } from '../../../src/core/backend/init';
import { checkTfjs, installedTfjs, TESTED_TFJS, THREADED_BUILD_PATH, tfjsInternalsUsable, type TfjsInstall } from '../../../src/core/backend/compat';
import { simdKernelsFor } from '../../../src/core/backend/simd/simd-kernels';
import { composedFilterGradient } from '../../../src/core/backend/wasm-kernels/conv2d-gradients';
import { maxPoolGradKernel } from '../../../src/core/backend/wasm-kernels/max-pool-grad';
import { RELU_GRADIENT } from '../../../src/core/backend/wasm-kernels/relu';
import { ADAM_UPDATE } from '../../../src/core/engine/adam-update';
import { BatchNormalization } from '../../../src/backbones/batch-norm';

const withVersion = (name: string, version: string | undefined): TfjsInstall => ({ ...TESTED_TFJS, versions: { ...TESTED_TFJS.versions, [name]: version } });

describe('checkTfjs', () => {
  it('passes what is installed here, read from the loaded tfjs, the wasm package and the binary itself', () => {
    const installed = installedTfjs();
    expect(installed.versions).toEqual({
      'tfjs-core': JSON.parse(fs.readFileSync(require.resolve('@tensorflow/tfjs-core/package.json'), 'utf8')).version,
      'tfjs-layers': JSON.parse(fs.readFileSync(require.resolve('@tensorflow/tfjs-layers/package.json'), 'utf8')).version,
      'tfjs-backend-wasm': JSON.parse(fs.readFileSync(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'), 'utf8')).version,
    });
    expect(installed.threadedBuildSha256).toBe(createHash('sha256').update(fs.readFileSync(THREADED_BUILD_PATH)).digest('hex'));
    expect(checkTfjs(installed)).toEqual({ passed: true, note: 'tfjs 4.22.0 checked' });
  });

  it('names every difference: versions, a missing package, another binary', () => {
    expect(checkTfjs(withVersion('tfjs-core', '4.23.0'))).toEqual({ passed: false, note: 'untested tfjs-core 4.23.0 (tested: 4.22.0): stock kernels only' });
    const several = { versions: { ...withVersion('tfjs-layers', undefined).versions, 'tfjs-backend-wasm': '5.0.0' }, threadedBuildSha256: 'ab'.repeat(32) };
    expect(checkTfjs(several).note).toBe(
      'untested tfjs-layers not found (tested: 4.22.0), tfjs-backend-wasm 5.0.0 (tested: 4.22.0), tfjs-backend-wasm-threaded-simd.wasm differs from the tested build: stock kernels only',
    );
  });
});

/** Kernels that tfjs-backend-wasm registers and we replace when the guard passes. */
const REPLACED = ['Conv2D', 'Conv2DBackpropInput', 'Tile', 'Sum', 'Mean', 'Identity', 'Add'];
const OVERRIDDEN_GRADIENTS = ['Relu', 'Sum', 'Mean'];

/**
 * A small CNN with our BatchNormalization, trained for `steps` Adam steps on fixed data.
 * @returns the losses; leaves no tensor behind
 */
async function trainSmallCnn(steps: number): Promise<number[]> {
  const before = tf.memory().numTensors;
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [12, 12, 3], filters: 8, kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      new BatchNormalization({}),
      tf.layers.reLU(),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthwiseInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
    ],
  });
  const optimizer = tf.train.adam(0.01);
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  const xs = tf.tidy(() => tf.sin(tf.range(0, 16 * 12 * 12 * 3).mul(0.37)).reshape([16, 12, 12, 3]));
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3, 3, 2, 1, 0, 3, 2, 1, 0], 'int32'), 4).toFloat());
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) losses.push((await model.trainOnBatch(xs, ys)) as number);
  tf.dispose([xs, ys]);
  model.dispose();
  optimizer.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return losses;
}

describe('initBackend on an untested tfjs', () => {
  // tfjs's own kernels and gradients, captured before anything of ours is registered.
  require('@tensorflow/tfjs-backend-wasm');
  const stockKernels = new Map(REPLACED.map((name) => [name, tf.getKernel(name, 'wasm')!.kernelFunc]));
  const stockGradients = new Map(OVERRIDDEN_GRADIENTS.map((name) => [name, tf.getGradient(name)]));
  const untested = withVersion('tfjs-core', '4.23.0');

  afterAll(async () => {
    await initBackend('cpu');
  });

  it('says the guard passed and runs our kernels when the versions match', async () => {
    const info = await initBackend('wasm');
    expect(info.detail).toMatch(/; tfjs 4\.22\.0 checked\)$/);
    expect(tfjsInternalsUsable()).toBe(true);
    expect(REPLACED.filter((name) => tf.getKernel(name, 'wasm')!.kernelFunc === stockKernels.get(name))).toEqual([]);
    expect(tf.getKernel(RELU_GRADIENT, 'wasm')).toBeDefined();
  });

  it('says so on the backend line, restores every stock kernel and gradient, and trains a small CNN', async () => {
    const info = await initBackend('wasm', { threads: 2, installedTfjs: untested });
    expect(info.detail).toBe(`@tensorflow/tfjs-backend-wasm (SIMD, 1 thread (tfjs's own loader; 2 requested); untested tfjs-core 4.23.0 (tested: 4.22.0): stock kernels only)`);
    expect(tfjsInternalsUsable()).toBe(false);
    // The convolution's forward and input gradient run tfjs's own kernels again, and so does every other one we replace.
    expect(REPLACED.filter((name) => tf.getKernel(name, 'wasm')!.kernelFunc !== stockKernels.get(name))).toEqual([]);
    expect(OVERRIDDEN_GRADIENTS.filter((name) => tf.getGradient(name) !== stockGradients.get(name))).toEqual([]);
    // Nothing that touches tfjs internals: no SIMD kernels, no ReLU-gradient or Adam kernel of ours.
    expect(simdKernelsFor(tf.backend())).toBeUndefined();
    expect(tf.getKernel(RELU_GRADIENT, 'wasm')).toBeUndefined();
    expect(tf.getKernel(ADAM_UPDATE, 'wasm')).toBeUndefined();
    // What the stock backend lacks (or got wrong in 4.22) is composed from public ops.
    expect(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')!.kernelFunc).toBe(composedFilterGradient.kernelFunc);
    expect(tf.getKernel(tf.MaxPoolGrad, 'wasm')!.kernelFunc).toBe(maxPoolGradKernel.kernelFunc);

    const losses = await trainSmallCnn(12);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]).toBeLessThan(0.7 * losses[0]);
  });

  it('keeps the stock path when called again, and leaves tfjs its own gradients on cpu too', async () => {
    const again = await initBackend('wasm', { installedTfjs: untested });
    expect(again.detail).toMatch(/untested tfjs-core 4\.23\.0/);
    expect(REPLACED.filter((name) => tf.getKernel(name, 'wasm')!.kernelFunc !== stockKernels.get(name))).toEqual([]);
    const cpu = await initBackend('cpu', { installedTfjs: untested });
    expect(cpu.detail).toBe('@tensorflow/tfjs-backend-cpu (pure JS; untested tfjs-core 4.23.0 (tested: 4.22.0): stock kernels only)');
    expect(OVERRIDDEN_GRADIENTS.filter((name) => tf.getGradient(name) !== stockGradients.get(name))).toEqual([]);
  });

  it('returns to our kernels and loader when the versions match again', async () => {
    const info = await initBackend('wasm');
    expect(info.detail).toMatch(/conv GEMM (FMA|mul\+add); tfjs 4\.22\.0 checked\)$/);
    expect(REPLACED.filter((name) => tf.getKernel(name, 'wasm')!.kernelFunc === stockKernels.get(name))).toEqual([]);
    expect(simdKernelsFor(tf.backend())).toBeDefined();
    const losses = await trainSmallCnn(3);
    expect(losses.every(Number.isFinite)).toBe(true);
  });
});
