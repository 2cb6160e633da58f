/**
 * ASL against the official PyTorch reference (float64 fixtures: loss, elementwise loss and
 * gradient for both classes and both detach modes), and against a float64 oracle with finite
 * differences for what the fixtures do not cover: soft targets, fractional gammas, the eps clamps
 * and saturated sigmoids.
 */
import { tf } from '../../src/core/tf';
import { initBackend } from '../../src/core/backend/init';
import { aslOptimizedPlugin, aslPlugin, type AslParams } from '../../src/losses/asymmetric';
import { aslPluginFor, expectAslCase, multilabelCases, rows } from './asl-reference';
import { BACKENDS, expectNoLeak, lossValueAndGrad } from './harness';
import { aslElement, aslSum, derivative, expectClose, flat, type Matrix } from './oracle';

/** Gradient of the summed oracle: finite differences per element (the loss is separable). */
function oracleGrad(x: Matrix, y: Matrix, p: AslParams): number[] {
  return flat(x.map((row, i) => row.map((v, j) =>
    derivative((t) => aslElement(t, y[i][j], p, p.detachFocusing ? v : t), v))));
}

describe('ASL plugin defaults mirror the reference classes', () => {
  it('has the reference default parameters and detach defaults', () => {
    for (const c of multilabelCases) {
      const detachIsDefault = aslPluginFor(c).defaults.detachFocusing === c.params.disable_torch_grad_focal_loss;
      expect([c.id, detachIsDefault]).toEqual([c.id, c.is_class_default_detach]);
    }
    for (const plugin of [aslPlugin, aslOptimizedPlugin]) {
      expect(plugin.kind).toBe('sigmoid');
      expect({ ...plugin.defaults, detachFocusing: undefined }).toEqual({
        gammaNeg: 4, gammaPos: 1, clip: 0.05, eps: 1e-8, detachFocusing: undefined, adaptive: false, gapTarget: 0.1, gammaNegStep: 0.01, reduction: 'sum',
      });
    }
    expect([aslPlugin.name, aslOptimizedPlugin.name]).toEqual(['asl', 'asl-optimized']);
  });
});

describe.each(BACKENDS)('ASL on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  it.each(rows(multilabelCases))('%s: loss and gradient match the reference', (_, c) => expectAslCase(c));

  const softCases: Array<[string, Partial<AslParams>, Matrix, Matrix]> = [
    ['soft targets, fractional gammas', { gammaNeg: 2.5, gammaPos: 0.5, clip: 0.1 },
      [[-3, -1.2, 0.3, 2.2], [4.5, -0.7, 1.1, -2.6]], [[0.3, 1, 0, 0.8], [0.5, 0.1, 1, 0]]],
    ['eps clamps bite (clip 0, eps 1e-3)', { gammaNeg: 3, gammaPos: 0, clip: 0, eps: 1e-3 },
      [[-9, 9, -9, 9], [0.4, -1.5, 2.5, -0.2]], [[1, 0, 0, 1], [1, 0, 1, 0]]],
    ['clip below eps', { gammaNeg: 4, gammaPos: 1, clip: 1e-4, eps: 1e-3 },
      [[-9, 9, 12, -12], [0.4, -1.5, 2.5, -0.2]], [[1, 0, 0, 1], [0, 1, 1, 0]]],
    ['saturated sigmoids, gammaPos 0', { gammaNeg: 4, gammaPos: 0 },
      [[-25, 30, -30, 25], [40, -40, 0, 17]], [[1, 1, 0, 0], [1, 0, 1, 1]]],
  ];

  describe.each([true, false])('detachFocusing %s', (detachFocusing) => {
    it.each(softCases)('%s: matches the float64 oracle and its finite differences', (_, overrides, logits, targets) => {
      const params = aslPlugin.validate({ ...overrides, detachFocusing });
      const loss = aslPlugin.create(params);
      expectNoLeak(() => {
        const y = tf.tensor2d(targets);
        const elementwise = lossValueAndGrad(loss, logits, y, { reduction: 'none' });
        const expected = flat(logits.map((row, i) => row.map((v, j) => aslElement(v, targets[i][j], params))));
        expectClose(elementwise.value, expected, 1e-7, 1e-5, 'elementwise');
        expectClose(elementwise.grad, oracleGrad(logits, targets, params), 1e-6, 1e-4, 'grad');
        expect(elementwise.grad.every(Number.isFinite)).toBe(true);
        const summed = lossValueAndGrad(loss, logits, y);
        expectClose(summed.value, [aslSum(logits, targets, params)], 1e-7, 1e-5, 'sum');
        y.dispose();
      });
    });
  });

  it('gives a positive below logit -18.4 exactly zero gradient (eps clamp), as the reference', () => {
    const loss = aslPlugin.create(aslPlugin.validate({}));
    expectNoLeak(() => {
      const y = tf.tensor2d([[1, 1]]);
      const { grad } = lossValueAndGrad(loss, [[-19, -18]], y);
      expect(grad[0] === 0).toBe(true); // ±0
      expect(grad[1]).toBeLessThan(-0.5);
      y.dispose();
    });
  });
});
