import * as fs from 'fs';
import * as os from 'os';
import { tf } from '../../../src/core/tf';
import { initBackend } from '../../../src/core/backend/init';
import { MAX_WASM_THREADS, resolveWasmThreads, THREADS_ENV } from '../../../src/core/backend/wasm-module';

describe('resolveWasmThreads', () => {
  const saved = process.env[THREADS_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[THREADS_ENV];
    else process.env[THREADS_ENV] = saved;
  });

  it('reads auto as every available core, at most 8, and accepts counts from 1 to 8', () => {
    expect(resolveWasmThreads('auto')).toBe(Math.min(os.availableParallelism(), MAX_WASM_THREADS));
    expect(resolveWasmThreads('3')).toBe(3);
    expect(resolveWasmThreads(' 8 ')).toBe(8);
    expect(resolveWasmThreads(1)).toBe(1);
  });

  it.each(['0', '9', '1.5', 'two', '', '-1'])('rejects %p naming --threads', (request) => {
    expect(() => resolveWasmThreads(request)).toThrow(/^--threads: expected 'auto' or an integer from 1 to 8/);
  });

  it('defaults to $ASL_RUN_THREADS and names the variable when it is wrong', () => {
    process.env[THREADS_ENV] = '2';
    expect(resolveWasmThreads()).toBe(2);
    process.env[THREADS_ENV] = 'many';
    expect(() => resolveWasmThreads()).toThrow(`${THREADS_ENV}: expected 'auto' or an integer from 1 to 8, got 'many'`);
    delete process.env[THREADS_ENV];
    expect(resolveWasmThreads()).toBe(resolveWasmThreads('auto'));
  });
});

/**
 * Three Adam steps of a small strided CNN (forward convolutions, our gradient kernels, bias and
 * pooling reductions) from fixed weights; returns every loss and the final weights, and leaves
 * no tensor behind.
 */
function trainFixedCnn(): { losses: number[]; weights: Float32Array[] } {
  const init = (shape: number[], phase: number) =>
    tf.tidy(() => tf.variable(tf.sin(tf.range(0, shape.reduce((a, b) => a * b)).mul(phase)).mul(0.2).reshape(shape)));
  const filters = [init([3, 3, 3, 16], 0.37), init([3, 3, 16, 32], 0.71)];
  const biases = [init([16], 1.3), init([32], 1.7)];
  const dense = init([32, 10], 0.53);
  const weights = [...filters, ...biases, dense];
  const images = tf.tidy(() => tf.cos(tf.range(0, 8 * 24 * 24 * 3).mul(0.013)).reshape([8, 24, 24, 3]));
  const labels = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10).toFloat());
  const optimizer = tf.train.adam(1e-2);
  const forward = (): tf.Scalar =>
    tf.tidy(() => {
      let x = images as tf.Tensor4D;
      filters.forEach((filter, i) => {
        x = tf.relu(tf.add(tf.conv2d(x, filter as tf.Tensor4D, 2, 'same'), biases[i])) as tf.Tensor4D;
      });
      return tf.losses.softmaxCrossEntropy(labels, tf.matMul(tf.mean(x, [1, 2]), dense)) as tf.Scalar;
    });
  const losses: number[] = [];
  for (let step = 0; step < 3; step++) {
    const loss = optimizer.minimize(forward, true, weights)!;
    losses.push(loss.dataSync()[0]);
    loss.dispose();
  }
  const result = { losses, weights: weights.map((w) => w.dataSync() as Float32Array) };
  optimizer.dispose();
  tf.dispose([...weights, images, labels]);
  return result;
}

describe('the wasm backend with several threads', () => {
  it('trains bit-identically with 1 and 2 threads, and says how many it runs', async () => {
    const single = await initBackend('wasm', { threads: 1 });
    expect(single.detail).toMatch(/1 thread, conv GEMM (FMA|mul\+add); tfjs 4\.22\.0 checked\)$/);
    const before = tf.memory().numTensors;
    const reference = trainFixedCnn();
    expect(tf.memory().numTensors).toBe(before);

    const errorListeners = () => [process.listeners('uncaughtException').length, process.listeners('unhandledRejection').length];
    const listenersBefore = errorListeners();
    const threaded = await initBackend('wasm', { threads: 2 });
    expect(errorListeners()).toEqual(listenersBefore); // Emscripten's rethrowing listeners are removed
    expect(threaded).toMatchObject({ name: 'wasm', threads: 2 });
    expect(threaded.detail).toMatch(/SIMD, 2 threads, conv GEMM (FMA|mul\+add); tfjs 4\.22\.0 checked\)$/);
    const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
    expect(wasm.getThreadsCount()).toBe(2);
    const result = trainFixedCnn();
    expect(tf.memory().numTensors).toBe(before);

    expect(reference.losses[2]).toBeLessThan(reference.losses[0]);
    expect(result.losses).toEqual(reference.losses);
    result.weights.forEach((w, i) => expect(Buffer.from(w.buffer).equals(Buffer.from(reference.weights[i].buffer))).toBe(true));
  });

  it('refuses to change the thread count while tensors live on the backend', async () => {
    await initBackend('wasm', { threads: 2 });
    const held = tf.ones([4]);
    await expect(initBackend('wasm', { threads: 1 })).rejects.toThrow(/^--threads: the wasm backend already runs with 2 thread\(s\) and holds 1 tensors/);
    expect(Array.from(held.dataSync())).toEqual([1, 1, 1, 1]);
    held.dispose();
    await expect(initBackend('wasm', { threads: 1 })).resolves.toMatchObject({ threads: 1 });
  });

  it('trains on the composed gradient kernels, and says why, when our SIMD kernels cannot load', async () => {
    await initBackend('wasm', { threads: 2 });
    // Our module is the only small binary compiled when a backend is created.
    const { Module } = WebAssembly;
    const compile = jest.spyOn(WebAssembly, 'Module').mockImplementation((bytes: BufferSource) => {
      if (bytes.byteLength < 100_000) throw new Error('CompileError: relaxed SIMD unsupported');
      return new Module(bytes);
    });
    try {
      const info = await initBackend('wasm', { threads: 1 });
      expect(info.detail).toMatch(/1 thread, conv GEMM not used: CompileError: relaxed SIMD unsupported; tfjs 4\.22\.0 checked\)$/);
      const before = tf.memory().numTensors;
      const reference = trainFixedCnn();
      expect(reference.losses[2]).toBeLessThan(reference.losses[0]);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      compile.mockRestore();
    }
  });

  it('falls back to one thread, and says why, when the threaded build cannot load', async () => {
    // The threaded binary, recognised by its size, fails to compile.
    const threadedBytes = fs.statSync(require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.wasm')).size;
    const { Module } = WebAssembly;
    const compile = jest.spyOn(WebAssembly, 'Module').mockImplementation((bytes: BufferSource) => {
      if (bytes.byteLength === threadedBytes) throw new Error('EACCES: permission denied');
      return new Module(bytes);
    });
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const info = await initBackend('wasm', { threads: 2 });
      expect(info.threads).toBe(1);
      expect(info.detail).toMatch(/SIMD, 1 thread \(threaded build failed: .*EACCES: permission denied.*\), conv GEMM (FMA|mul\+add); tfjs 4\.22\.0 checked\)$/);
      const x = tf.tensor1d([1, 2, 3]);
      expect(Array.from(tf.sum(x).dataSync())).toEqual([6]);
      x.dispose();
    } finally {
      compile.mockRestore();
      warn.mockRestore();
    }
  });
});
