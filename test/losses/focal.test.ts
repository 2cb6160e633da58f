/**
 * focal against torchvision's sigmoid_focal_loss (float64 fixture: value, gradient and
 * elementwise loss; gamma 0 / 0.5 / 1 / 2 / 3 / 5, alpha 0.25 / 0.5 / 0.75 / 1 / -1, logits ±30
 * and ±100, all-zero and soft targets, a single class), and focal-softmax against the official
 * ASLSingleLabel with gamma_neg 0 and no smoothing, which is the same loss.
 */
import { tf } from '../../src/core/tf';
import { initBackend } from '../../src/core/backend/init';
import { focalPlugin, softmaxFocalPlugin } from '../../src/losses/focal';
import { readFixture } from '../fixtures/read-fixture';
import { BACKENDS, expectNoLeak, lossValueAndGrad } from './harness';
import { expectClose, flat, type Matrix } from './oracle';
import { expectTorchCase, GRAD_TOLERANCE, torchCases, VALUE_TOLERANCE } from './torch-reference';

interface SingleLabelCase {
  id: string;
  params: { gamma_pos: number; gamma_neg: number; eps: number; reduction: 'mean' | 'none' };
  logits: Matrix;
  targets: number[];
  loss: number | number[];
  grad: Matrix;
}

const softmaxFocalCases = (readFixture('asl_reference.json').singlelabel as SingleLabelCase[])
  .filter((c) => c.params.gamma_neg === 0 && c.params.eps === 0);

it('focal and focal-softmax have the torchvision defaults', () => {
  expect(focalPlugin.defaults).toEqual({ gamma: 2, alpha: 0.25, reduction: 'sum' });
  expect(softmaxFocalPlugin.defaults).toEqual({ gamma: 2, reduction: 'mean' });
  expect(softmaxFocalCases.length).toBeGreaterThan(0);
});

describe.each(BACKENDS)('focal on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  it.each(torchCases('focal'))('%s: value, gradient and elementwise loss match torchvision', (_, c) => expectTorchCase(focalPlugin, c));

  it.each(softmaxFocalCases.map((c) => [c.id, c] as const))('focal-softmax as %s: loss and gradient match the reference', (_, c) => {
    const loss = softmaxFocalPlugin.create(softmaxFocalPlugin.validate({ gamma: c.params.gamma_pos, reduction: c.params.reduction }));
    expectNoLeak(() => {
      const ids = tf.tensor1d(c.targets, 'int32');
      const { value, grad } = lossValueAndGrad(loss, c.logits, ids);
      expectClose(value, typeof c.loss === 'number' ? [c.loss] : c.loss, VALUE_TOLERANCE.abs, VALUE_TOLERANCE.rel, `${c.id} loss`);
      expectClose(grad, flat(c.grad), GRAD_TOLERANCE.abs, GRAD_TOLERANCE.rel, `${c.id} grad`);
      ids.dispose();
    });
  });
});
