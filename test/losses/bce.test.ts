/**
 * bce against torch's BCEWithLogitsLoss formula in float64 (value and analytic derivative
 * σ(x) - y checked by finite differences), including logits far into saturation, and the
 * identity with ASL at gammas 0 and clip 0.
 */
import { tf } from '../../src/core/tf';
import { initBackend } from '../../src/core/backend/init';
import { aslPlugin } from '../../src/losses/asymmetric';
import { bcePlugin } from '../../src/losses/bce';
import { BACKENDS, expectNoLeak, lossValueAndGrad } from './harness';
import { bceElement, derivative, expectClose, flat, sum, type Matrix } from './oracle';

const logits: Matrix = [[-3.2, -0.4, 0, 0.7, 2.9], [60, -60, 15, -15, 1e-3], [-1.1, 4.4, -7.5, 8.2, 0.3]];
const targets: Matrix = [[1, 0, 1, 0, 1], [1, 1, 0, 0, 0.5], [0.25, 0.9, 0, 1, 0]];

const elementwise = (x: Matrix) => x.map((row, i) => row.map((v, j) => bceElement(v, targets[i][j])));
const oracleGrad = flat(logits.map((row, i) => row.map((v, j) => derivative((t) => bceElement(t, targets[i][j]), v))));

describe.each(BACKENDS)('bce on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  it('has sum reduction by default and matches the float64 oracle, summed and elementwise', () => {
    expect(bcePlugin.defaults).toEqual({ reduction: 'sum' });
    const loss = bcePlugin.create(bcePlugin.validate({}));
    expectNoLeak(() => {
      const y = tf.tensor2d(targets);
      const summed = lossValueAndGrad(loss, logits, y);
      expectClose(summed.value, [sum(flat(elementwise(logits)))], 0, 1e-6, 'sum');
      expectClose(summed.grad, oracleGrad, 1e-6, 1e-4, 'grad');
      const none = lossValueAndGrad(loss, logits, y, { reduction: 'none' });
      expectClose(none.value, flat(elementwise(logits)), 1e-6, 1e-5, 'elementwise');
      expectClose(none.grad, oracleGrad, 1e-6, 1e-4, 'grad of sum(none)');
      y.dispose();
    });
  });

  it('equals asl with gammaNeg = gammaPos = clip = 0 (logits inside ASL eps clamp range)', () => {
    const bce = bcePlugin.create(bcePlugin.validate({}));
    const asl = aslPlugin.create(aslPlugin.validate({ gammaNeg: 0, gammaPos: 0, clip: 0 }));
    const moderate: Matrix = [[-3.2, -0.4, 0, 0.7, 2.9], [6, -6, 1.5, -1.5, 1e-3], [-1.1, 4.4, -7.5, 8.2, 0.3]];
    expectNoLeak(() => {
      const y = tf.tensor2d(targets);
      const a = lossValueAndGrad(asl, moderate, y, { reduction: 'none' });
      const b = lossValueAndGrad(bce, moderate, y, { reduction: 'none' });
      expectClose(a.value, b.value, 1e-6, 1e-5, 'elementwise');
      expectClose(a.grad, b.grad, 1e-6, 1e-4, 'grad');
      y.dispose();
    });
  });
});
