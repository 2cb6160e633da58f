import { tf } from '../../../../src/core/tf';
import { initBackend } from '../../../../src/core/backend/init';
import { RELU_GRADIENT } from '../../../../src/core/backend/wasm-kernels/relu';
import { simdKernelsFor } from '../../../../src/core/backend/simd/simd-kernels';
import { pseudoRandom, runOn } from './cpu-oracle';

/** Values in [-1, 1) with zeros, NaNs and a ±Infinity sprinkled in, so every branch is hit. */
function awkwardValues(size: number, seed: number): Float32Array {
  const values = pseudoRandom(size, seed);
  for (let i = 0; i < size; i += 97) values[i] = 0;
  for (let i = 5; i < size; i += 1013) values[i] = NaN;
  values[size - 1] = Infinity;
  values[size - 2] = -Infinity;
  return values;
}

/** ReLU and its gradient (through tf.grad, so our gradient registration) of x weighted by w; only the gradient is ours. */
function reluAndGradient(size: number): tf.Tensor[] {
  const x = tf.tensor1d(awkwardValues(size, 1));
  const w = tf.tensor1d(pseudoRandom(size, 2));
  const gradient = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu(t), w)))(x);
  return [tf.relu(x), gradient];
}

describe('wasm Relu gradient', () => {
  // 3 units of the pool and a tail shorter than a vector; and one below the pool's threshold.
  it.each([[3 * 32768 + 3], [1000]])('equal the cpu kernels exactly, NaN and infinities included (%i elements)', async (size) => {
    const expected = await runOn('cpu', () => reluAndGradient(size));
    await initBackend('wasm');
    const run = jest.spyOn(simdKernelsFor(tf.backend())!, 'run');
    try {
      const actual = await runOn('wasm', () => reluAndGradient(size));
      expect(run.mock.calls.length).toBe(size >= 32768 ? 1 : 0);
      actual.forEach((result, k) => {
        expect(result.shape).toEqual(expected[k].shape);
        // Exactly equal; NaN as NaN; the sign of a zero gradient (cpu: w·0 keeps w's sign) is immaterial.
        const differing = Array.from(result.values).flatMap((v, i) => {
          const e = expected[k].values[i];
          return v === e || (Number.isNaN(v) && Number.isNaN(e)) ? [] : [`output ${k}[${i}]: ${v}, cpu ${e}`];
        });
        expect(differing).toEqual([]);
      });
    } finally {
      run.mockRestore();
    }
  });

  it('keeps tfjs composition for the gradient on backends without our kernel', async () => {
    await initBackend('cpu');
    expect(tf.getKernel(RELU_GRADIENT, 'cpu')).toBeUndefined();
    const gradient = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.relu(t)))(tf.tensor1d([-1, 0, 2, NaN])));
    expect(Array.from(gradient.dataSync())).toEqual([0, 0, 1, NaN]);
    gradient.dispose();
  });
});
