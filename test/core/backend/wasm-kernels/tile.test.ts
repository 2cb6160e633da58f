import { tf } from '../../../../src/core/tf';
import { initBackend } from '../../../../src/core/backend/init';
import { broadcastPlan } from '../../../../src/core/backend/wasm-kernels/tile';

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

describe('wasm Tile by broadcast', () => {
  beforeAll(() => initBackend('wasm'));

  it('merges axes so batch-norm tiling stays rank 2', () => {
    expect(broadcastPlan([1, 1, 1, 8], [4, 5, 6, 1])).toEqual({ input: [1, 8], broadcast: [120, 8] });
    expect(broadcastPlan([2, 3], [1, 1])).toEqual({ input: [6], broadcast: [6] });
    expect(broadcastPlan([2, 3], [3, 2])).toEqual({ input: [1, 2, 1, 3], broadcast: [3, 2, 2, 3] });
  });

  it.each([
    [[3], [4], 'float32'],
    [[2, 3], [2, 2], 'float32'],
    [[1, 1, 1, 5], [2, 3, 4, 1], 'float32'],
    [[2, 1, 3, 2], [1, 4, 1, 3], 'float32'],
    [[2, 2, 2, 2], [2, 2, 2, 2], 'float32'], // rank 8 plan: falls back to the stock kernel
    [[2, 3], [3, 1], 'int32'],
    [[2, 2], [2, 3], 'bool'],
  ] as const)('tiles %j by %j (%s) exactly', (shape, reps, dtype) => {
    const n = shape.reduce((a: number, b: number) => a * b, 1);
    const values = Array.from({ length: n }, (_, i) => (dtype === 'bool' ? i % 2 : dtype === 'int32' ? i - 3 : i * 0.5 - 1));
    const before = tf.memory().numTensors;
    const got = tf.tidy(() => Array.from(tf.tile(tf.tensor(values, [...shape], dtype), [...reps]).dataSync()));
    expect(got).toEqual(tileOracle(values, [...shape], [...reps]));
    expect(tf.memory().numTensors).toBe(before);
  });
});
