import { tf } from '../../../../src/core/tf';
import { initBackend } from '../../../../src/core/backend/init';
import { locationGrid } from '../../../../src/tasks/detection/locations';
import { yoloxCorners } from '../../../../src/tasks/detection/heads/yolox/decode';
import { cornerIou } from '../../../../src/tasks/detection/nms';
import { decodeBoxTensor, iouSquaredLoss } from '../../../../src/tasks/detection/heads/yolox/iou-loss';

describe('yolox box loss tensors', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('decodes like the host decoder and gives 1 − IoU² like the host IoU; no leaks', () => {
    const grid = locationGrid(32, 32, [8, 16], [1000]);
    const L = grid.count;
    const values = Float32Array.from({ length: 2 * L * 4 }, (_, i) => Math.sin(i * 1.7) * 1.5);
    const targets = Float32Array.from({ length: 2 * L * 4 }, (_, i) => (i % 4 < 2 ? 4 + (i % 7) : 16 + (i % 11)));
    const before = tf.memory().numTensors;
    const [corners, loss] = tf.tidy(() => {
      const c = decodeBoxTensor(tf.tensor3d(values, [2, L, 4]), grid);
      return [c.dataSync(), iouSquaredLoss(c, tf.tensor3d(targets, [2, L, 4])).dataSync()];
    });
    expect(tf.memory().numTensors).toBe(before);
    const host = new Float32Array(4);
    for (let row = 0; row < 2 * L; row++) {
      const k = row % L;
      yoloxCorners(values, 4 * row, grid.x[k], grid.y[k], grid.stride[k], host, 0);
      for (let j = 0; j < 4; j++) expect(corners[4 * row + j]).toBeCloseTo(host[j], 3);
      expect(loss[row]).toBeCloseTo(1 - cornerIou(host, 0, targets, 4 * row) ** 2, 5);
    }
  });

  it('has finite gradients against all-zero (background) targets and disjoint boxes', () => {
    const g = tf.tidy(() => {
      const pred = tf.tensor2d([[0, 0, 4, 4], [10, 10, 12, 12]]);
      const target = tf.tensor2d([[0, 0, 0, 0], [0, 0, 2, 2]]);
      return tf.grad((p: tf.Tensor) => tf.sum(iouSquaredLoss(p, target)))(pred).dataSync();
    });
    expect(Array.from(g).every(Number.isFinite)).toBe(true);
  });
});
