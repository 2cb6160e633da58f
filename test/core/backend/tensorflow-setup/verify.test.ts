/** The setup's closing check, on the backends every machine has: the conv step and its comparison. */
import { tf } from '../../../../src/core/tf';
import { initBackend } from '../../../../src/core/backend/init';
import { convStep, CONV_TOLERANCE, relativeDifference } from '../../../../src/core/backend/tensorflow-setup/setup';

describe('relativeDifference', () => {
  it('is the largest absolute difference over the reference scale', () => {
    expect(relativeDifference(Float32Array.from([1, 2, -3]), Float32Array.from([1, 2.5, -4]))).toBeCloseTo(1 / 4, 7);
    expect(relativeDifference(Float32Array.from([0, 0]), Float32Array.from([0, 0]))).toBe(0);
    expect(relativeDifference(Float32Array.from([1]), Float32Array.from([1, 2]))).toBe(Infinity);
  });
});

describe('convStep', () => {
  it('gives the same output and gradients on cpu and wasm within the tolerance, leaving no tensor', async () => {
    const results = [];
    for (const backend of ['cpu', 'wasm'] as const) {
      await initBackend(backend);
      const before = tf.memory().numTensors;
      results.push(await convStep());
      expect(tf.memory().numTensors).toBe(before);
    }
    const [cpu, wasm] = results;
    expect([cpu.y.length, cpu.dx.length, cpu.dFilter.length]).toEqual([2 * 5 * 5 * 4, 2 * 9 * 9 * 3, 3 * 3 * 3 * 4]);
    for (const k of ['y', 'dx', 'dFilter'] as const) expect(relativeDifference(wasm[k], cpu[k])).toBeLessThan(CONV_TOLERANCE);
    // A wrong gradient is far outside it: the check can fail.
    expect(relativeDifference(cpu.dx.map((v, i) => (i === 7 ? v * 1.01 + 1 : v)), cpu.dx)).toBeGreaterThan(CONV_TOLERANCE);
  });
});
