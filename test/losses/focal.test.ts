/**
 * focal against torchvision.ops.sigmoid_focal_loss's formula in float64 with finite-difference
 * gradients (alpha on and off, gamma 0 / fractional / 2, soft targets, saturated logits), the
 * identity focal(gamma 0, alpha -1) = bce, and focal-softmax against the multi-class formula.
 */
import { tf } from '../../src/core/tf';
import { initBackend } from '../../src/core/backend/init';
import { bcePlugin } from '../../src/losses/bce';
import { focalPlugin, softmaxFocalPlugin } from '../../src/losses/focal';
import { BACKENDS, expectNoLeak, lossValueAndGrad } from './harness';
import { derivative, expectClose, finiteDifferenceGrad, flat, focalElement, softmaxAslPerSample, sum, type Matrix } from './oracle';

const logits: Matrix = [[-3.2, -0.4, 0, 0.7, 2.9], [40, -40, 15, -15, 1e-3], [-1.1, 4.4, -7.5, 8.2, 0.3]];
const targets: Matrix = [[1, 0, 1, 0, 1], [1, 0, 0, 1, 0.5], [0.25, 0.9, 0, 1, 0]];

describe.each(BACKENDS)('focal on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  it('has the torchvision defaults', () => {
    expect(focalPlugin.defaults).toEqual({ gamma: 2, alpha: 0.25, reduction: 'sum' });
  });

  it.each([
    [2, 0.25],
    [2, -1],
    [0.5, 0.75],
    [0, 0.25],
    [3, 1],
  ])('gamma %s, alpha %s: matches the float64 oracle and its finite differences', (gamma, alpha) => {
    const loss = focalPlugin.create(focalPlugin.validate({ gamma, alpha }));
    const element = (x: number, i: number, j: number) => focalElement(x, targets[i][j], gamma, alpha);
    expectNoLeak(() => {
      const y = tf.tensor2d(targets);
      const none = lossValueAndGrad(loss, logits, y, { reduction: 'none' });
      expectClose(none.value, flat(logits.map((r, i) => r.map((v, j) => element(v, i, j)))), 1e-6, 1e-5, 'elementwise');
      const grad = flat(logits.map((r, i) => r.map((v, j) => derivative((t) => element(t, i, j), v))));
      expectClose(none.grad, grad, 1e-6, 1e-4, 'grad');
      const summed = lossValueAndGrad(loss, logits, y);
      expectClose(summed.value, [sum(flat(logits.map((r, i) => r.map((v, j) => element(v, i, j)))))], 1e-6, 1e-5, 'sum');
      expectClose(summed.grad, grad, 1e-6, 1e-4, 'grad of sum');
      y.dispose();
    });
  });

  it('with gamma 0 and alpha -1 equals bce', () => {
    const focal = focalPlugin.create(focalPlugin.validate({ gamma: 0, alpha: -1 }));
    const bce = bcePlugin.create(bcePlugin.validate({}));
    expectNoLeak(() => {
      const y = tf.tensor2d(targets);
      const [a, b] = [lossValueAndGrad(focal, logits, y, { reduction: 'none' }), lossValueAndGrad(bce, logits, y, { reduction: 'none' })];
      expectClose(a.value, b.value, 1e-7, 1e-6, 'elementwise');
      expectClose(a.grad, b.grad, 1e-7, 1e-6, 'grad');
      y.dispose();
    });
  });

  it('focal-softmax matches -(1 - p_t)^gamma log p_t and its finite differences', () => {
    expect(softmaxFocalPlugin.defaults).toEqual({ gamma: 2, reduction: 'mean' });
    const loss = softmaxFocalPlugin.create(softmaxFocalPlugin.validate({ gamma: 1.5 }));
    const ids = [4, 0, 2];
    const oracle = (x: Matrix) => softmaxAslPerSample(x, ids, 1.5, 0, 0);
    expectNoLeak(() => {
      const y = tf.tensor1d(ids, 'int32');
      const { value, grad } = lossValueAndGrad(loss, logits, y);
      expectClose(value, [sum(oracle(logits)) / ids.length], 1e-6, 1e-5, 'mean');
      expectClose(grad, flat(finiteDifferenceGrad((x) => sum(oracle(x)) / ids.length, logits)), 1e-6, 1e-4, 'grad');
      y.dispose();
    });
  });
});
