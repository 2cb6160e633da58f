import { tf } from '../../../src/core/tf';
import { initBackend } from '../../../src/core/backend/init';
import { meanGradientConfig, sumGradientConfig } from '../../../src/core/backend/reduction-gradients';
import { pseudoRandom } from './wasm-kernels/cpu-oracle';

/** tfjs's own formula: dy (reduced axes kept as 1) · ones(x.shape), ÷ n for a mean. */
function onesFormula(dy: tf.Tensor, shape: number[], axes: number[], mean: boolean): tf.Tensor {
  const expanded = tf.reshape(dy, shape.map((d, a) => (axes.includes(a) ? 1 : d)));
  const product = tf.mul(expanded, tf.ones(shape, 'float32'));
  return mean ? tf.div(product, axes.reduce((n, a) => n * shape[a], 1)) : product;
}

describe.each(['cpu', 'wasm'] as const)('Sum and Mean gradients (%s)', (backend) => {
  beforeAll(async () => {
    await initBackend('wasm'); // registers our gradients
    await initBackend(backend);
  });

  it('are ours', () => {
    expect(tf.getGradient(tf.Sum)).toBe(sumGradientConfig);
    expect(tf.getGradient(tf.Mean)).toBe(meanGradientConfig);
  });

  it.each([
    [[4, 6, 6, 8], [1, 2], true],
    [[4, 6, 6, 8], [0, 1, 2], false],
    [[5, 3], [1], false],
    [[3, 7, 2], [0, 2], true],
  ] as const)('x %j over %j (keepDims %s): the values of dy · ones, bit for bit', (shape, axes, keepDims) => {
    const before = tf.memory().numTensors;
    for (const mean of [false, true]) {
      const [got, want] = tf.tidy(() => {
        const x = tf.tensor(pseudoRandom(shape.reduce((a: number, b: number) => a * b, 1), 1), [...shape]);
        const reduce = (t: tf.Tensor) => (mean ? tf.mean(t, [...axes], keepDims) : tf.sum(t, [...axes], keepDims));
        const outShape = reduce(x).shape;
        const dy = tf.tensor(pseudoRandom(outShape.reduce((a, b) => a * b, 1), 2), outShape);
        const dx = tf.grad(reduce)(x, dy);
        expect(dx.shape).toEqual([...shape]);
        return [dx.dataSync(), onesFormula(dy, [...shape], [...axes], mean).dataSync()];
      });
      expect(got).toEqual(want);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
