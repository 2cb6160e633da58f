import { tf } from '../../../../src/core/tf';
import { initBackend } from '../../../../src/core/backend/init';
import { broadcastPlan, repeatRowsPlan } from '../../../../src/core/backend/wasm-kernels/tile';
import { simdKernelsFor } from '../../../../src/core/backend/simd/simd-kernels';

/** Plain-JS tile: out[i0, i1, …] = x[i0 mod d0, i1 mod d1, …]. */
function tileOracle(values: number[], shape: number[], reps: number[]): number[] {
  const out = shape.map((d, i) => d * reps[i]);
  const size = out.reduce((a, b) => a * b, 1);
  const result: number[] = [];
  for (let flat = 0; flat < size; flat++) {
    let rest = flat;
    let src = 0;
    let stride = 1;
    const idx = out.map(() => 0);
    for (let a = out.length - 1; a >= 0; a--) {
      idx[a] = rest % out[a];
      rest = Math.floor(rest / out[a]);
    }
    for (let a = shape.length - 1; a >= 0; a--) {
      src += (idx[a] % shape[a]) * stride;
      stride *= shape[a];
    }
    result.push(values[src]);
  }
  return result;
}

describe('wasm Tile', () => {
  beforeAll(() => initBackend('wasm'));

  it('merges axes so batch-norm tiling stays rank 2', () => {
    expect(broadcastPlan([1, 1, 1, 8], [4, 5, 6, 1])).toEqual({ input: [1, 8], broadcast: [120, 8] });
    expect(broadcastPlan([2, 3], [1, 1])).toEqual({ input: [6], broadcast: [6] });
    expect(broadcastPlan([2, 3], [3, 2])).toEqual({ input: [1, 2, 1, 3], broadcast: [3, 2, 2, 3] });
  });

  it('copies rows where the plan repeats whole rows of at least 8 values', () => {
    expect(repeatRowsPlan({ input: [1, 8], broadcast: [120, 8] })).toEqual({ outer: 1, rows: 120, cols: 8 });
    expect(repeatRowsPlan({ input: [4, 1, 8], broadcast: [4, 15, 8] })).toEqual({ outer: 4, rows: 15, cols: 8 });
    expect(repeatRowsPlan({ input: [16], broadcast: [16] })).toEqual({ outer: 1, rows: 1, cols: 16 });
    expect(repeatRowsPlan({ input: [1], broadcast: [4096] })).toBeUndefined(); // a scalar filled
    expect(repeatRowsPlan({ input: [1, 4], broadcast: [120, 4] })).toBeUndefined(); // rows too short
    expect(repeatRowsPlan({ input: [1, 2, 1, 8], broadcast: [3, 2, 2, 8] })).toBeUndefined();
    expect(repeatRowsPlan({ input: [16, 1], broadcast: [16, 4] })).toBeUndefined();
  });

  // The last column: how many SIMD row copies run (0: the broadcast multiply or the stock kernel).
  it.each([
    [[3], [4], 'float32', 0],
    [[8], [4], 'float32', 1],
    [[1, 1], [16, 32], 'float32', 0], // a scalar filled
    [[2, 3], [2, 2], 'float32', 0],
    [[1, 1, 1, 5], [2, 3, 4, 1], 'float32', 0],
    [[1, 1, 1, 8], [2, 3, 4, 1], 'float32', 1], // batch-norm's per-channel terms
    [[4, 1, 1, 8], [1, 3, 5, 1], 'float32', 1], // a mean's gradient over H and W
    [[1, 64], [1000, 1], 'float32', 1], // many units
    [[2, 1, 3, 2], [1, 4, 1, 3], 'float32', 0],
    [[2, 2, 2, 2], [2, 2, 2, 2], 'float32', 0], // rank 8 plan: falls back to the stock kernel
    [[2, 3], [3, 1], 'int32', 0],
    [[2, 4], [3, 1], 'int32', 1],
    [[2, 2], [2, 3], 'bool', 0],
    [[2, 8], [0, 1], 'float32', 0], // empty: the stock kernel
  ] as const)('tiles %j by %j (%s) exactly', (shape, reps, dtype, simdCalls) => {
    const n = shape.reduce((a: number, b: number) => a * b, 1);
    const values = Array.from({ length: n }, (_, i) => (dtype === 'bool' ? i % 2 : dtype === 'int32' ? i - 3 : i * 0.5 - 1));
    const before = tf.memory().numTensors;
    const run = jest.spyOn(simdKernelsFor(tf.backend())!, 'run');
    try {
      const got = tf.tidy(() => Array.from(tf.tile(tf.tensor(values, [...shape], dtype), [...reps]).dataSync()));
      expect(got).toEqual(tileOracle(values, [...shape], [...reps]));
      expect(run).toHaveBeenCalledTimes(simdCalls);
    } finally {
      run.mockRestore();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
