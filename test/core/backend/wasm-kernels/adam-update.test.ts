import { tf } from '../../../../src/core/tf';
import { initBackend } from '../../../../src/core/backend/init';
import { simdKernelsFor } from '../../../../src/core/backend/simd/simd-kernels';
import { ADAM_UPDATE, adamUpdate, composedAdamUpdate, type AdamUpdateAttrs } from '../../../../src/core/engine/adam-update';
import { pseudoRandom, runOn, type Result } from './cpu-oracle';

/** Step 3 of a run at lr 0.01: the scalars the optimizer passes, with and without each decay form. */
function attrs(decay: number, l2: number, beta1 = 0.9): AdamUpdateAttrs {
  const [beta2, t, lr] = [0.999, 3, 0.01];
  return { decay, l2, beta1, beta2, eps: 1e-8, secondMomentCorrection: Math.sqrt(1 - beta2 ** t), stepSize: lr / (1 - beta1 ** t) };
}

const CASES: [string, AdamUpdateAttrs][] = [
  ['adam, L2 penalty', attrs(1, 1e-4)],
  ['adamw, decoupled decay', attrs(1 - 0.01 * 0.05, 0)],
  ['no decay, cycled beta1', attrs(1, 0, 0.85)],
];

/** p, g, m in [-1, 1), v ≥ 0 with exact zeros (denominator ε alone), a zero gradient and a NaN. */
function inputs(size: number): tf.Tensor[] {
  const g = pseudoRandom(size, 2);
  g[0] = 0;
  g[size - 1] = NaN;
  const v = pseudoRandom(size, 4).map((x, i) => (i % 7 === 0 ? 0 : Math.abs(x) * 1e-3));
  return [tf.tensor1d(pseudoRandom(size, 1)), tf.tensor1d(g), tf.tensor1d(pseudoRandom(size, 3)), tf.tensor1d(v)];
}

function differences(actual: Result[], expected: Result[]): string[] {
  return actual.flatMap((result, k) =>
    Array.from(result.values).flatMap((x, i) => {
      const e = expected[k].values[i];
      return Object.is(x, e) || (Number.isNaN(x) && Number.isNaN(e)) ? [] : [`output ${k}[${i}]: ${x}, composed on cpu ${e}`];
    }),
  );
}

describe('wasm Adam update', () => {
  // Three units of the pool and a tail shorter than a vector; and a parameter of one short unit.
  describe.each([[3 * 16384 + 3], [5]])('%i elements', (size) => {
    it.each(CASES)('equals the composed update on cpu bit for bit (%s)', async (_, a) => {
      const expected = await runOn('cpu', () => {
        const [p, g, m, v] = inputs(size);
        return composedAdamUpdate(p, g, m, v, a);
      });
      await initBackend('wasm');
      expect(tf.getKernel(ADAM_UPDATE, 'wasm')).toBeDefined();
      const run = jest.spyOn(simdKernelsFor(tf.backend())!, 'run');
      try {
        const actual = await runOn('wasm', () => {
          const [p, g, m, v] = inputs(size);
          return adamUpdate(p, g, m, v, a);
        });
        expect(run).toHaveBeenCalledTimes(1);
        expect(differences(actual, expected)).toEqual([]);
      } finally {
        run.mockRestore();
      }
    });
  });

  it('is composed from tf ops on backends without the kernel', async () => {
    await initBackend('cpu');
    expect(tf.getKernel(ADAM_UPDATE, 'cpu')).toBeUndefined();
    const [p1, m1, v1] = tf.tidy(() => adamUpdate(tf.tensor1d([1]), tf.tensor1d([0.5]), tf.tensor1d([0]), tf.tensor1d([0]), attrs(1, 0)));
    // m' = 0.05, v' = 0.00025, p' = 1 − lr/(1 − 0.9³) · m' / (√v' / √(1 − 0.999³) + ε)
    const c = attrs(1, 0);
    const expectedP = 1 - c.stepSize * (0.05 / (Math.sqrt(0.00025) / c.secondMomentCorrection + 1e-8));
    expect(m1.dataSync()[0]).toBeCloseTo(0.05, 7);
    expect(v1.dataSync()[0]).toBeCloseTo(0.00025, 9);
    expect(p1.dataSync()[0]).toBeCloseTo(expectedP, 6);
    tf.dispose([p1, m1, v1]);
  });
});
