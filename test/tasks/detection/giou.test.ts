import { tf } from '../../../src/core/tf';
import { initBackend } from '../../../src/core/backend/init';
import { giouLoss } from '../../../src/tasks/detection/giou';
import { expectClose, seededValues } from '../../backbones/helpers';

/** Float64 GIoU loss from box corners: both boxes around the origin, [-l, -t, r, b]. */
function giouOracle(p: number[], t: number[]): number {
  const a = [-p[0], -p[1], p[2], p[3]];
  const b = [-t[0], -t[1], t[2], t[3]];
  const area = (x: number[]) => (x[2] - x[0]) * (x[3] - x[1]);
  const iw = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const ih = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = iw * ih;
  const union = area(a) + area(b) - inter;
  const hull = (Math.max(a[2], b[2]) - Math.min(a[0], b[0])) * (Math.max(a[3], b[3]) - Math.min(a[1], b[1]));
  return 1 - (inter / union - (hull - union) / hull);
}

describe('giouLoss', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('matches a float64 corner-based oracle, including identical and nested boxes', () => {
    const n = 40;
    const pred = seededValues(n * 4, 1, 2, 2.05);
    const target = seededValues(n * 4, 2, 2, 2.05);
    // Row 0: identical boxes (loss 0); row 1: target nested in prediction.
    pred.splice(0, 4, 1, 2, 3, 4);
    target.splice(0, 4, 1, 2, 3, 4);
    pred.splice(4, 4, 4, 4, 4, 4);
    target.splice(4, 4, 1, 1, 1, 1);
    const before = tf.memory().numTensors;
    const got = tf.tidy(() => giouLoss(tf.tensor2d(pred, [n, 4]), tf.tensor2d(target, [n, 4])).dataSync());
    expect(tf.memory().numTensors).toBe(before);
    const want = Array.from({ length: n }, (_, i) => giouOracle(pred.slice(4 * i, 4 * i + 4), target.slice(4 * i, 4 * i + 4)));
    expect(want[0]).toBe(0);
    expect(want[1]).toBeCloseTo(1 - 4 / 64, 12);
    expectClose(got, want, 1e-5);
  });

  it('has finite gradients against the all-zero targets of negative locations', () => {
    const before = tf.memory().numTensors;
    const grad = tf.tidy(() => {
      const g = tf.grad((p: tf.Tensor) => tf.sum(giouLoss(p as tf.Tensor2D, tf.zeros([3, 4]) as tf.Tensor2D)));
      return g(tf.tensor2d([[1, 1, 1, 1], [0.5, 2, 1, 3], [1e-3, 1e-3, 1e-3, 1e-3]])).dataSync();
    });
    expect(tf.memory().numTensors).toBe(before);
    expect([...grad].every(Number.isFinite)).toBe(true);
  });
});
