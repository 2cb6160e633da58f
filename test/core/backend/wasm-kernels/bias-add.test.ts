import { tf } from '../../../../src/core/tf';
import { initBackend } from '../../../../src/core/backend/init';
import { simdKernelsFor } from '../../../../src/core/backend/simd/simd-kernels';
import { pseudoRandom, runOn } from './cpu-oracle';

/** x [...shape] + b [C] (or b + x), with a NaN and infinities among the values. */
function biasAdd(shape: number[], biasFirst: boolean): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = pseudoRandom(size, 1);
  [values[3], values[size - 1], values[size - 2]] = [NaN, Infinity, -Infinity];
  const x = tf.tensor(values, shape);
  const b = tf.tensor1d(pseudoRandom(shape[shape.length - 1], 2));
  return biasFirst ? tf.add(b, x) : tf.add(x, b);
}

describe('wasm bias add', () => {
  // An NHWC activation whose rows split into several units; 6 channels (a scalar tail per row);
  // bias first; and an add below the pool's threshold, which the stock kernel runs.
  it.each([
    [[4, 32, 32, 16], false, 1],
    [[5462, 6], false, 1],
    [[2, 64, 64, 8], true, 1],
    [[10, 8], false, 0],
  ])('x %j (bias first: %s) equals the cpu kernel exactly', async (shape, biasFirst, simdCalls) => {
    const expected = await runOn('cpu', () => biasAdd(shape, biasFirst));
    await initBackend('wasm');
    const run = jest.spyOn(simdKernelsFor(tf.backend())!, 'run');
    try {
      const [actual] = await runOn('wasm', () => biasAdd(shape, biasFirst));
      expect(run).toHaveBeenCalledTimes(simdCalls);
      expect(actual.shape).toEqual(expected[0].shape);
      expect(actual.values).toEqual(expected[0].values);
    } finally {
      run.mockRestore();
    }
  });

  it('leaves adds that are not a bias to the stock kernel', async () => {
    await initBackend('wasm');
    const run = jest.spyOn(simdKernelsFor(tf.backend())!, 'run');
    try {
      const [sum] = await runOn('wasm', () => tf.add(tf.ones([64, 64, 16]), tf.ones([64, 1, 16])));
      expect(run).not.toHaveBeenCalled();
      expect(Array.from(sum.values).every((v) => v === 2)).toBe(true);
    } finally {
      run.mockRestore();
    }
  });
});
