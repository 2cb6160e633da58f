/**
 * Weights, reductions and normalizer (src/losses/reduce.ts) through real losses, against the
 * float64 oracles: values and gradients, sigmoid and softmax kinds, and the option errors.
 */
import { tf } from '../../src/core/tf';
import { initBackend } from '../../src/core/backend/init';
import { aslPlugin } from '../../src/losses/asymmetric';
import { crossEntropyPlugin } from '../../src/losses/cross-entropy';
import { BACKENDS, expectNoLeak, lossValueAndGrad } from './harness';
import { aslElement, crossEntropyPerSample, derivative, expectClose, finiteDifferenceGrad, flat, sum, type Matrix } from './oracle';

const logits: Matrix = [[-2, 0.5, 1.5], [3, -1, 0.2]];
const targets: Matrix = [[1, 0, 0], [0, 1, 1]];
const aslDefaults = { gammaNeg: 4, gammaPos: 1, clip: 0.05, eps: 1e-8 };
const elementLoss = flat(logits.map((r, i) => r.map((v, j) => aslElement(v, targets[i][j], aslDefaults))));
/** The detached default's gradient per element: the weight is held at the current logit. */
const elementGrad = flat(logits.map((r, i) => r.map((v, j) => derivative((t) => aslElement(t, targets[i][j], aslDefaults, v), v))));

describe.each(BACKENDS)('loss reduction options on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
  });
  const asl = aslPlugin.create(aslPlugin.validate({}));

  it.each([
    ['sum (default)', {}, sum(elementLoss)],
    ['mean over N·C', { reduction: 'mean' as const }, sum(elementLoss) / 6],
    ['sum / normalizer 4', { normalizer: 4 }, sum(elementLoss) / 4],
    ['mean / normalizer 0.5', { reduction: 'mean' as const, normalizer: 0.5 }, sum(elementLoss) / 3],
  ])('%s', (_, options, expected) => {
    expectNoLeak(() => {
      const y = tf.tensor2d(targets);
      const scale = expected / sum(elementLoss);
      const { value, grad } = lossValueAndGrad(asl, logits, y, options);
      expectClose(value, [expected], 0, 1e-5, 'value');
      expectClose(grad, elementGrad.map((g) => g * scale), 1e-6, 1e-4, 'grad');
      y.dispose();
    });
  });

  it('takes a scalar tensor normalizer', () => {
    expectNoLeak(() => {
      const [y, n] = [tf.tensor2d(targets), tf.scalar(2)];
      const { value } = lossValueAndGrad(asl, logits, y, { normalizer: n });
      expectClose(value, [sum(elementLoss) / 2], 0, 1e-5, 'value');
      tf.dispose([y, n]);
    });
  });

  it.each([
    ['[N, C]', [[1, 2, 0], [0.5, 1, 3]], [1, 2, 0, 0.5, 1, 3]],
    ['[1, C]', [[1, 2, 0]], [1, 2, 0, 1, 2, 0]],
    ['[N, 1]', [[2], [0.5]], [2, 2, 2, 0.5, 0.5, 0.5]],
    ['[C]', [0, 1, 4], [0, 1, 4, 0, 1, 4]],
  ])('applies broadcast weights %s before sum, mean and none', (_, w, full) => {
    expectNoLeak(() => {
      const [y, weights] = [tf.tensor2d(targets), tf.tensor(w)];
      const weighted = elementLoss.map((l, k) => l * full[k]);
      const weightedGrad = elementGrad.map((g, k) => g * full[k]);
      const summed = lossValueAndGrad(asl, logits, y, { weights });
      expectClose(summed.value, [sum(weighted)], 1e-7, 1e-5, 'sum');
      expectClose(summed.grad, weightedGrad, 1e-6, 1e-4, 'grad');
      const mean = lossValueAndGrad(asl, logits, y, { weights, reduction: 'mean' });
      expectClose(mean.value, [sum(weighted) / 6], 1e-7, 1e-5, 'mean');
      const none = lossValueAndGrad(asl, logits, y, { weights, reduction: 'none', normalizer: 2 });
      expectClose(none.value, weighted.map((v) => v / 2), 1e-7, 1e-5, 'none / normalizer');
      tf.dispose([y, weights]);
    });
  });

  it('weights softmax losses per sample', () => {
    const ce = crossEntropyPlugin.create(crossEntropyPlugin.validate({ reduction: 'sum' }));
    const ids = [2, 0];
    const w = [3, 0.5];
    const oracle = (x: Matrix) => sum(crossEntropyPerSample(x, ids, 0).map((l, i) => l * w[i]));
    expectNoLeak(() => {
      const [y, weights] = [tf.tensor1d(ids, 'int32'), tf.tensor1d(w)];
      const { value, grad } = lossValueAndGrad(ce, logits, y, { weights });
      expectClose(value, [oracle(logits)], 1e-7, 1e-5, 'value');
      expectClose(grad, flat(finiteDifferenceGrad(oracle, logits)), 1e-6, 1e-4, 'grad');
      tf.dispose([y, weights]);
    });
  });

  it('rejects bad options with one clear line, leaving no tensors', () => {
    expectNoLeak(() => {
      const y = tf.tensor2d(targets);
      const x = tf.tensor2d(logits);
      const bad = (options: object) => () => asl.compute(x, y, options);
      const w3 = tf.ones([2, 4]);
      expect(bad({ weights: w3 })).toThrow('asl: options.weights of shape [2, 4] does not broadcast to the loss shape [2, 3]');
      expect(bad({ weights: [1, 2, 3] })).toThrow('asl: options.weights must be a tf.Tensor');
      expect(bad({ normalizer: 0 })).toThrow('asl: options.normalizer must be a finite number > 0, got 0');
      expect(bad({ normalizer: NaN })).toThrow('asl: options.normalizer must be a finite number > 0, got NaN');
      const vector = tf.ones([2]);
      expect(bad({ normalizer: vector })).toThrow('asl: options.normalizer must be a number or a scalar tf.Tensor');
      expect(bad({ reduction: 'avg' })).toThrow(`asl: reduction must be one of 'sum', 'mean', 'none', got "avg"`);
      tf.dispose([x, y, w3, vector]);
    });
  });
});
