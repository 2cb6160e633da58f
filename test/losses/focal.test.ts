/**
 * focal against torchvision's sigmoid_focal_loss (float64 fixture: value, gradient and
 * elementwise loss; gamma 0 / 0.5 / 1 / 2 / 3 / 5, alpha 0.25 / 0.5 / 0.75 / 1 / -1, logits ±30
 * and ±100, all-zero and soft targets, a single class), and focal-softmax against the official
 * ASLSingleLabel with gamma_neg 0 and no smoothing, which is the same loss.
 */
import { initBackend } from '../../src/core/backend/init';
import { focalPlugin, softmaxFocalPlugin } from '../../src/losses/focal';
import { expectSoftmaxFocalCase, rows, softmaxFocalCases } from './asl-reference';
import { BACKENDS } from './harness';
import { expectTorchCase, torchCases } from './torch-reference';

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

  it.each(rows(softmaxFocalCases))('focal-softmax as %s: loss and gradient match the reference', (_, c) => expectSoftmaxFocalCase(c));
});
