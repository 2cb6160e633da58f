/**
 * ce against torch's CrossEntropyLoss(label_smoothing) formula in float64 with finite-difference
 * gradients, and the identity asl-single-label(gammas 0, eps = s) = ce(labelSmoothing = s).
 */
import { tf } from '../../src/core/tf';
import { initBackend } from '../../src/core/backend/init';
import { aslSingleLabelPlugin } from '../../src/losses/asl-single-label';
import { crossEntropyPlugin } from '../../src/losses/cross-entropy';
import { BACKENDS, expectNoLeak, lossValueAndGrad } from './harness';
import { crossEntropyPerSample, expectClose, finiteDifferenceGrad, flat, sum, type Matrix } from './oracle';

const logits: Matrix = [[2, -1, 0.5, 3, 0], [0.1, 0.2, -0.3, 0.4, 0.5], [30, -30, 0, 1, 2], [-20, 25, 1, -3, 4]];
const ids = [3, 1, 0, 2];

describe.each(BACKENDS)('ce on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  it('defaults to no smoothing and mean reduction', () => {
    expect(crossEntropyPlugin.kind).toBe('softmax');
    expect(crossEntropyPlugin.defaults).toEqual({ labelSmoothing: 0, reduction: 'mean' });
  });

  it.each([0, 0.1, 0.5])('labelSmoothing %s: matches the float64 oracle (mean and per sample) and its gradient', (s) => {
    const loss = crossEntropyPlugin.create(crossEntropyPlugin.validate({ labelSmoothing: s }));
    const oracle = (x: Matrix) => crossEntropyPerSample(x, ids, s);
    expectNoLeak(() => {
      const y = tf.tensor1d(ids, 'int32');
      const mean = lossValueAndGrad(loss, logits, y);
      expectClose(mean.value, [sum(oracle(logits)) / ids.length], 1e-6, 1e-5, 'mean');
      expectClose(mean.grad, flat(finiteDifferenceGrad((x) => sum(oracle(x)) / ids.length, logits)), 1e-6, 1e-4, 'grad');
      const none = lossValueAndGrad(loss, logits, y, { reduction: 'none' });
      expectClose(none.value, oracle(logits), 1e-6, 1e-5, 'per sample');
      expectClose(none.grad, flat(finiteDifferenceGrad((x) => sum(oracle(x)), logits)), 1e-6, 1e-4, 'grad of sum(none)');
      y.dispose();
    });
  });

  it.each([0, 0.1, 0.3])('equals asl-single-label with both gammas 0 and eps %s', (s) => {
    const ce = crossEntropyPlugin.create(crossEntropyPlugin.validate({ labelSmoothing: s }));
    const asl = aslSingleLabelPlugin.create(aslSingleLabelPlugin.validate({ gammaPos: 0, gammaNeg: 0, eps: s }));
    expectNoLeak(() => {
      const y = tf.tensor1d(ids, 'int32');
      const [a, b] = [lossValueAndGrad(asl, logits, y), lossValueAndGrad(ce, logits, y)];
      expectClose(a.value, b.value, 1e-7, 1e-6, 'loss');
      expectClose(a.grad, b.grad, 1e-7, 1e-6, 'grad');
      y.dispose();
    });
  });
});
