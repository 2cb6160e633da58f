/**
 * Test support: runs the same computation on the cpu backend (the oracle) and on wasm with our
 * kernels, and compares with a tolerance relative to the reference's magnitude.
 */
import { tf } from '../../../../src/core/tf';
import { initBackend } from '../../../../src/core/backend/init';

/** Deterministic values in [-1, 1) (mulberry32), so both backends see identical inputs. */
export function pseudoRandom(size: number, seed: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: size }, () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  });
}

export function randomTensor(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(pseudoRandom(shape.reduce((a, b) => a * b, 1), seed), shape);
}

export interface Result {
  shape: number[];
  values: Float32Array | Int32Array | Uint8Array;
}

/** Runs `compute` on `backend`, returning every output as plain arrays; asserts no tensor leaks. */
export async function runOn(backend: 'cpu' | 'wasm', compute: () => tf.Tensor | tf.Tensor[]): Promise<Result[]> {
  await initBackend(backend);
  const before = tf.memory().numTensors;
  const outputs = tf.tidy(compute);
  const list = Array.isArray(outputs) ? outputs : [outputs];
  const results = list.map((t) => ({ shape: t.shape, values: t.dataSync() as Result['values'] }));
  tf.dispose(list);
  expect(tf.memory().numTensors).toBe(before);
  return results;
}

/** Largest |actual − expected| over max(1e-3, max |expected|); every shape must match exactly. */
export function relativeError(actual: Result[], expected: Result[]): number {
  expect(actual.map((r) => r.shape)).toEqual(expected.map((r) => r.shape));
  let worst = 0;
  actual.forEach((a, k) => {
    const e = expected[k].values;
    const scale = Array.from(e).reduce((m, v) => Math.max(m, Math.abs(v)), 1e-3);
    for (let i = 0; i < e.length; i++) worst = Math.max(worst, Math.abs(a.values[i] - e[i]) / scale);
  });
  return worst;
}

/** Computes on cpu, then on wasm, and expects agreement within `tolerance` (relative). */
export async function expectWasmMatchesCpu(compute: () => tf.Tensor | tf.Tensor[], tolerance = 1e-4): Promise<void> {
  await expectWasmMatches(compute, compute, tolerance);
}

/** As expectWasmMatchesCpu, where the cpu computes the reference in another (equivalent) way. */
export async function expectWasmMatches(
  reference: () => tf.Tensor | tf.Tensor[],
  compute: () => tf.Tensor | tf.Tensor[],
  tolerance = 1e-4,
): Promise<void> {
  const expected = await runOn('cpu', reference);
  const actual = await runOn('wasm', compute);
  expect(relativeError(actual, expected)).toBeLessThan(tolerance);
}
