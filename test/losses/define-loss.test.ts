/**
 * Input checks and the plugin shell (src/losses/define-loss.ts): shape/dtype errors name the loss
 * and the problem, non-float sigmoid targets are cast, and nothing leaks on either path.
 */
import { tf } from '../../src/core/tf';
import { initBackend } from '../../src/core/backend/init';
import { aslPlugin } from '../../src/losses/asymmetric';
import { crossEntropyPlugin } from '../../src/losses/cross-entropy';
import { BACKENDS, expectNoLeak } from './harness';

describe.each(BACKENDS)('loss input checks on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
  });
  const asl = aslPlugin.create(aslPlugin.validate({}));
  const ce = crossEntropyPlugin.create(crossEntropyPlugin.validate({}));

  it('rejects malformed sigmoid inputs', () => {
    expectNoLeak(() => {
      const x = tf.zeros([2, 3]);
      const cases: Array<[tf.Tensor | unknown, tf.Tensor | unknown, string]> = [
        [tf.zeros([6]), tf.zeros([6]), 'asl: logits must be rank 2 [N, C], got shape [6]'],
        [tf.zeros([2, 3, 1]), tf.zeros([2, 3, 1]), 'asl: logits must be rank 2 [N, C], got shape [2, 3, 1]'],
        [tf.zeros([2, 3], 'int32'), tf.zeros([2, 3]), 'asl: logits must be float32, got int32'],
        [tf.zeros([0, 3]), tf.zeros([0, 3]), 'asl: logits must have at least one sample and one class, got shape [0, 3]'],
        [x, tf.zeros([3, 2]), 'asl: targets must have the logits\' shape [2, 3], got [3, 2]'],
        [x, tf.zeros([2]), 'asl: targets must have the logits\' shape [2, 3], got [2]'],
        [[[0, 1]], x, 'asl: logits must be a tf.Tensor'],
        [x, [[0, 1, 0]], 'asl: targets must be a tf.Tensor'],
      ];
      for (const [logits, targets, message] of cases) {
        expect(() => asl.compute(logits as tf.Tensor, targets as tf.Tensor)).toThrow(new Error(message));
      }
      tf.dispose(cases.flatMap(([l, t]) => [l, t].filter((v): v is tf.Tensor => v instanceof tf.Tensor)));
    });
  });

  it('rejects malformed softmax class ids', () => {
    expectNoLeak(() => {
      const x = tf.zeros([2, 3]);
      const cases: Array<[tf.Tensor, string]> = [
        [tf.tensor1d([0, 2]), 'ce: targets must be int32 class ids, got float32'],
        [tf.tensor2d([[0], [2]], [2, 1], 'int32'), 'ce: targets must be class ids of shape [2], got [2, 1]'],
        [tf.tensor1d([0, 1, 2], 'int32'), 'ce: targets must be class ids of shape [2], got [3]'],
      ];
      for (const [targets, message] of cases) expect(() => ce.compute(x, targets)).toThrow(new Error(message));
      tf.dispose([x, ...cases.map(([t]) => t)]);
    });
  });

  it('casts int32 and bool sigmoid targets to float32', () => {
    expectNoLeak(() => {
      const x = tf.tensor2d([[-1, 2, 0.5], [3, -2, 0]]);
      const floats = [[1, 0, 1], [0, 0, 1]];
      const [f, i, b] = [tf.tensor2d(floats), tf.tensor2d(floats, [2, 3], 'int32'), tf.tensor2d(floats, [2, 3], 'bool')];
      const [fromFloat, fromInt, fromBool] = [f, i, b].map((t) => asl.compute(x, t));
      expect(fromFloat.dataSync()[0]).toBeGreaterThan(0);
      expect(fromInt.dataSync()[0]).toBe(fromFloat.dataSync()[0]);
      expect(fromBool.dataSync()[0]).toBe(fromFloat.dataSync()[0]);
      tf.dispose([x, f, i, b, fromFloat, fromInt, fromBool]);
    });
  });

  it('leaves no tensors behind after a training-style gradient (variableGrads)', () => {
    const w = tf.variable(tf.tensor2d([[0.5, -0.2, 0.1], [0.3, 0.2, -0.4]]));
    const [x, y] = [tf.tensor2d([[1, 2], [-1, 0.5], [0, 3]]), tf.tensor2d([[1, 0, 1], [0, 0, 1], [1, 1, 0]])];
    expectNoLeak(() => {
      for (let step = 0; step < 3; step++) {
        const { value, grads } = tf.variableGrads(() => asl.compute(tf.matMul(x, w), y) as tf.Scalar, [w]);
        tf.dispose([value, ...Object.values(grads)]);
      }
    });
    tf.dispose([w, x, y]);
  });
});
