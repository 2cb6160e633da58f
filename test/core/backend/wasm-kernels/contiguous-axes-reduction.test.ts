import { tf } from '../../../../src/core/tf';
import { initBackend } from '../../../../src/core/backend/init';
import { contiguousAxesPlan, reduceByPooling } from '../../../../src/core/backend/wasm-kernels/contiguous-axes-reduction';
import { simdKernelsFor } from '../../../../src/core/backend/simd/simd-kernels';

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

  // The last column: whether our column sums run (else the stock kernel); every plan is also
  // checked through the pooling, the path where our SIMD kernels are not loaded.
  it.each([
    [[32, 8, 8, 24], [0, 1, 2], false, true], // 2048 rows: chunks, then their partial sums
    [[6, 5, 4, 3], [0, 1, 2], true, true],
    [[9, 7], [0], false, true],
    [[2, 3, 4, 5], [1, 0], false, true],
    [[4, 6, 5], [0, 1], true, true],
    [[3, 4, 5, 2], [1, 2], false, true],
    [[32, 8, 8, 12], [1, 2], true, true], // global average pooling
    [[2, 300, 6], [1], false, true], // blocks of two chunks each
    [[3, 4, 5, 2], [0, 2], false, false], // not adjacent: the stock kernel
    [[3, 4, 5], [2], true, false], // innermost: the stock kernel
  ] as const)('reduces %j over %j (keepDims %s) as a float64 oracle does (column sums: %s)', (shape, axes, keepDims, columnSums) => {
    const n = shape.reduce((a: number, b: number) => a * b, 1);
    const values = Array.from({ length: n }, (_, i) => Math.sin(i * 0.7) * 3 + 1);
    const before = tf.memory().numTensors;
    const expectedShape = keepDims ? shape.map((d, a) => ((axes as readonly number[]).includes(a) ? 1 : d)) : shape.filter((_, a) => !(axes as readonly number[]).includes(a));
    const run = jest.spyOn(simdKernelsFor(tf.backend())!, 'run');
    try {
      for (const mean of [false, true]) {
        const want = reduceOracle(values, [...shape], [...axes], mean);
        const paths = [(x: tf.Tensor) => (mean ? tf.mean(x, [...axes], keepDims) : tf.sum(x, [...axes], keepDims))];
        if (columnSums) paths.push((x) => reduceByPooling(x, { axis: [...axes], keepDims }, mean));
        for (const reduce of paths) {
          const got = tf.tidy(() => {
            const r = reduce(tf.tensor(values, [...shape]));
            expect(r.shape).toEqual(expectedShape);
            return Array.from(r.dataSync());
          });
          got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want[i])) * (mean ? 1 : 10)));
        }
      }
      expect(run.mock.calls.length > 0).toBe(columnSums);
    } finally {
      run.mockRestore();
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
