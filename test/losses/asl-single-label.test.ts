/**
 * asl-single-label against the official ASLSingleLabel (float64 fixtures: loss and gradient), and
 * against a float64 oracle with finite differences for what the fixtures' moderate logits do not
 * reach: saturated softmax rows, with fractional gammas among them.
 */
import { tf } from '../../src/core/tf';
import { initBackend } from '../../src/core/backend/init';
import { aslSingleLabelPlugin } from '../../src/losses/asl-single-label';
import { expectSingleLabelCase, rows, singleLabelCases } from './asl-reference';
import { BACKENDS, expectNoLeak, lossValueAndGrad } from './harness';
import { expectClose, finiteDifferenceGrad, flat, softmaxAslPerSample, sum, type Matrix } from './oracle';

describe('asl-single-label defaults', () => {
  it('are the reference defaults', () => {
    expect(aslSingleLabelPlugin.kind).toBe('softmax');
    expect(aslSingleLabelPlugin.defaults).toEqual({ gammaPos: 0, gammaNeg: 4, eps: 0.1, reduction: 'mean' });
    const defaults = singleLabelCases.find((c) => c.id.endsWith('/defaults'))!.params;
    expect(aslSingleLabelPlugin.validate({})).toMatchObject({ gammaPos: defaults.gamma_pos, gammaNeg: defaults.gamma_neg, eps: defaults.eps });
  });
});

describe.each(BACKENDS)('asl-single-label on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  it.each(rows(singleLabelCases))('%s: loss and gradient match the reference', (_, c) => expectSingleLabelCase(c));

  const logits: Matrix = [[2, -1, 0.5, 3], [0.1, 0.2, -0.3, 0.4], [30, -30, 0, 1], [-20, 25, 1, -3]];
  const ids = [3, 1, 0, 2];

  it.each([
    ['focusing on both sides', 2, 3, 0.2],
    ['fractional gammas, no smoothing', 0.5, 1.5, 0],
    ['focal-like (gammaNeg 0)', 2, 0, 0],
  ] as const)('%s: matches the float64 oracle and its finite differences', (_, gammaPos, gammaNeg, eps) => {
    const loss = aslSingleLabelPlugin.create(aslSingleLabelPlugin.validate({ gammaPos, gammaNeg, eps, reduction: 'none' }));
    expectNoLeak(() => {
      const y = tf.tensor1d(ids, 'int32');
      const { value, grad } = lossValueAndGrad(loss, logits, y);
      const oracle = (x: Matrix) => softmaxAslPerSample(x, ids, gammaPos, gammaNeg, eps);
      expectClose(value, oracle(logits), 1e-6, 1e-5, 'per-sample loss');
      expectClose(grad, flat(finiteDifferenceGrad((x) => sum(oracle(x)), logits)), 1e-6, 1e-4, 'grad');
      y.dispose();
    });
  });
});
