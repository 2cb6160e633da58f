/**
 * The ASL reference fixture (test/fixtures/asl_reference.json: float64 values and gradients of the
 * official AsymmetricLoss, AsymmetricLossOptimized and ASLSingleLabel) and the check of one of its
 * cases, for asl / asl-optimized, asl-single-label, and focal-softmax (ASLSingleLabel with
 * gammaNeg 0 and no smoothing is the softmax focal loss). Results are read asynchronously, the one
 * read every backend has.
 */
import { tf } from '../../src/core/tf';
import { aslOptimizedPlugin, aslPlugin, type AslParams } from '../../src/losses/asymmetric';
import { aslSingleLabelPlugin } from '../../src/losses/asl-single-label';
import { softmaxFocalPlugin } from '../../src/losses/focal';
import type { Reduction } from '../../src/losses/loss-plugin';
import { readFixture } from '../fixtures/read-fixture';
import { expectNoLeakAsync, readLossValueAndGrad } from './harness';
import { expectClose, flat, type Matrix } from './oracle';
import { GRAD_TOLERANCE, VALUE_TOLERANCE } from './torch-reference';

export interface MultilabelCase {
  id: string;
  class: 'AsymmetricLoss' | 'AsymmetricLossOptimized';
  params: { gamma_neg: number; gamma_pos: number; clip: number; eps: number; disable_torch_grad_focal_loss: boolean };
  is_class_default_detach: boolean;
  logits: Matrix;
  targets: Matrix;
  loss: number;
  grad: Matrix;
  elementwise_loss: Matrix;
}

export interface SingleLabelCase {
  id: string;
  params: { gamma_pos: number; gamma_neg: number; eps: number; reduction: Reduction };
  logits: Matrix;
  targets: number[];
  loss: number | number[];
  grad: Matrix;
}

const fixture = readFixture('asl_reference.json');
export const multilabelCases: MultilabelCase[] = fixture.multilabel;
export const singleLabelCases: SingleLabelCase[] = fixture.singlelabel;
/** The single-label cases that are a softmax focal loss. */
export const softmaxFocalCases = singleLabelCases.filter((c) => c.params.gamma_neg === 0 && c.params.eps === 0);

/** As [id, case] rows for it.each. */
export const rows = <C extends { id: string }>(cases: C[]) => cases.map((c) => [c.id, c] as const);

export const aslPluginFor = (c: MultilabelCase) => (c.class === 'AsymmetricLoss' ? aslPlugin : aslOptimizedPlugin);

export function aslParamsOf(c: MultilabelCase): AslParams {
  const { gamma_neg, gamma_pos, clip, eps, disable_torch_grad_focal_loss } = c.params;
  return aslPluginFor(c).validate({ gammaNeg: gamma_neg, gammaPos: gamma_pos, clip, eps, detachFocusing: disable_torch_grad_focal_loss });
}

/** asl / asl-optimized: the summed loss, its gradient, the elementwise loss and the gradient of its sum. */
export function expectAslCase(c: MultilabelCase): Promise<void> {
  const loss = aslPluginFor(c).create(aslParamsOf(c));
  return expectNoLeakAsync(async () => {
    const targets = tf.tensor2d(c.targets);
    const summed = await readLossValueAndGrad(loss, c.logits, targets);
    expectClose(summed.value, [c.loss], 0, 1e-5, `${c.id} loss`);
    expectClose(summed.grad, flat(c.grad), 1e-6, 1e-4, `${c.id} grad`);
    const elementwise = await readLossValueAndGrad(loss, c.logits, targets, { reduction: 'none' });
    expectClose(elementwise.value, flat(c.elementwise_loss), 1e-7, 1e-5, `${c.id} elementwise`);
    expectClose(elementwise.grad, flat(c.grad), 1e-6, 1e-4, `${c.id} grad of sum(none)`);
    targets.dispose();
  });
}

/** asl-single-label: the loss (per sample under reduction none) and its gradient. */
export function expectSingleLabelCase(c: SingleLabelCase): Promise<void> {
  const { gamma_pos, gamma_neg, eps, reduction } = c.params;
  const loss = aslSingleLabelPlugin.create(aslSingleLabelPlugin.validate({ gammaPos: gamma_pos, gammaNeg: gamma_neg, eps, reduction }));
  return expectNoLeakAsync(async () => {
    const ids = tf.tensor1d(c.targets, 'int32');
    const { value, grad } = await readLossValueAndGrad(loss, c.logits, ids);
    expectClose(value, typeof c.loss === 'number' ? [c.loss] : c.loss, 0, 1e-5, `${c.id} loss`);
    expectClose(grad, flat(c.grad), 1e-6, 1e-4, `${c.id} grad`);
    ids.dispose();
  });
}

/** focal-softmax on a case of softmaxFocalCases, to the PyTorch fixture's tolerances. */
export function expectSoftmaxFocalCase(c: SingleLabelCase): Promise<void> {
  const loss = softmaxFocalPlugin.create(softmaxFocalPlugin.validate({ gamma: c.params.gamma_pos, reduction: c.params.reduction }));
  return expectNoLeakAsync(async () => {
    const ids = tf.tensor1d(c.targets, 'int32');
    const { value, grad } = await readLossValueAndGrad(loss, c.logits, ids);
    expectClose(value, typeof c.loss === 'number' ? [c.loss] : c.loss, VALUE_TOLERANCE.abs, VALUE_TOLERANCE.rel, `${c.id} loss`);
    expectClose(grad, flat(c.grad), GRAD_TOLERANCE.abs, GRAD_TOLERANCE.rel, `${c.id} grad`);
    ids.dispose();
  });
}
