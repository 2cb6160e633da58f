import { tf } from '../../../../src/core/tf';
import { initBackend } from '../../../../src/core/backend/init';
import { contiguousAxesPlan } from '../../../../src/core/backend/wasm-kernels/contiguous-axes-reduction';

/** Float64 reduction over `axes` of a row-major array: the oracle. */
function reduceOracle(values: number[], shape: number[], axes: number[], mean: boolean): number[] {
  const kept = shape.map((_, a) => a).filter((a) => !axes.includes(a));
  const outShape = kept.map((a) => shape[a]);
  const out = new Float64Array(outShape.reduce((a, b) => a * b, 1));
  const counts = axes.reduce((n, a) => n * shape[a], 1);
  values.forEach((v, flat) => {
    let rest = flat;
    const idx = shape.map(() => 0);
    for (let a = shape.length - 1; a >= 0; a--) {
      idx[a] = rest % shape[a];
      rest = Math.floor(rest / shape[a]);
    }
    const o = kept.reduce((acc, a) => acc * shape[a] + idx[a], 0);
    out[o] += v;
  });
  return Array.from(out, (v) => (mean ? v / counts : v));
}

describe('wasm Sum and Mean over adjacent axes', () => {
  beforeAll(() => initBackend('wasm', { threads: 1 }));

  it('takes the pooling only for a run of adjacent axes that leaves an axis after it', () => {
    expect(contiguousAxesPlan([4, 5, 6, 3], [0, 1, 2])).toEqual({ outer: 1, rows: 120, cols: 3 });
    expect(contiguousAxesPlan([4, 5, 6, 3], [-4, 1])).toEqual({ outer: 1, rows: 20, cols: 18 });
    expect(contiguousAxesPlan([7, 3], 0)).toEqual({ outer: 1, rows: 7, cols: 3 });
    expect(contiguousAxesPlan([4, 5, 6, 3], [1, 2])).toEqual({ outer: 4, rows: 30, cols: 3 });
    expect(contiguousAxesPlan([4, 5, 6, 3], [2, 1])).toEqual({ outer: 4, rows: 30, cols: 3 });
    expect(contiguousAxesPlan([4, 5, 6, 3], [0, 2])).toBeUndefined();
    expect(contiguousAxesPlan([4, 5, 6, 3], [2, 3])).toBeUndefined();
    expect(contiguousAxesPlan([4, 5], [0, 1])).toBeUndefined();
    expect(contiguousAxesPlan([0, 5], [0])).toBeUndefined();
  });

  it.each([
    [[32, 8, 8, 24], [0, 1, 2], false],
    [[6, 5, 4, 3], [0, 1, 2], true],
    [[9, 7], [0], false],
    [[2, 3, 4, 5], [1, 0], false],
    [[4, 6, 5], [0, 1], true],
    [[3, 4, 5, 2], [1, 2], false],
    [[32, 8, 8, 12], [1, 2], true], // global average pooling
    [[3, 4, 5, 2], [0, 2], false], // not adjacent: the stock kernel
    [[3, 4, 5], [2], true], // innermost: the stock kernel
  ] as const)('reduces %j over %j (keepDims %s) as a float64 oracle does', (shape, axes, keepDims) => {
    const n = shape.reduce((a: number, b: number) => a * b, 1);
    const values = Array.from({ length: n }, (_, i) => Math.sin(i * 0.7) * 3 + 1);
    const before = tf.memory().numTensors;
    for (const mean of [false, true]) {
      const got = tf.tidy(() => {
        const x = tf.tensor(values, [...shape]);
        const r = mean ? tf.mean(x, [...axes], keepDims) : tf.sum(x, [...axes], keepDims);
        const expectedShape = keepDims ? shape.map((d, a) => ((axes as readonly number[]).includes(a) ? 1 : d)) : shape.filter((_, a) => !(axes as readonly number[]).includes(a));
        expect(r.shape).toEqual(expectedShape);
        return Array.from(r.dataSync());
      });
      const want = reduceOracle(values, [...shape], [...axes], mean);
      got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want[i])) * (mean ? 1 : 10)));
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps int32 sums exact through the stock kernel, and gradients unchanged', () => {
    const ints = tf.tensor2d([[1, 2], [3, 4], [2 ** 24, 1]], [3, 2], 'int32');
    expect(Array.from(tf.sum(ints, 0).dataSync())).toEqual([2 ** 24 + 4, 7]);
    const x = tf.tensor3d([[[1, 2]], [[3, 4]]]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.mean(t, [0, 1]), tf.tensor1d([1, 10]))))(x);
    expect(Array.from(g.dataSync())).toEqual([0.5, 5, 0.5, 5]);
    tf.dispose([ints, x, g]);
  });
});
