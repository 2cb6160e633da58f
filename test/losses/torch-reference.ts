/**
 * The PyTorch fixture of bce, focal and ce (test/fixtures/torch_losses_reference.json: float64
 * values and gradients from torch / torchvision) and the check of one of its cases.
 */
import { tf } from '../../src/core/tf';
import type { LossPlugin, LossParams, Reduction } from '../../src/losses/loss-plugin';
import { readFixture } from '../fixtures/read-fixture';
import { expectNoLeakAsync, readLossValueAndGrad } from './harness';
import { expectClose, flat, type Matrix } from './oracle';

export interface TorchLossCase {
  id: string;
  loss: 'bce' | 'focal' | 'ce';
  /** asl-run's parameter names. */
  params: LossParams;
  reduction: Reduction;
  logits: Matrix;
  /** [N][C] (soft) targets for bce and focal, [N] class ids for ce. */
  targets: Matrix | number[];
  /** Broadcast to [N][C] by both torch and asl-run. */
  weights?: Matrix;
  /** The loss under `reduction`. */
  value: number;
  grad: Matrix;
  /** Reduction none: [N][C], or [N] for ce. */
  elementwise_loss: Matrix | number[];
}

const allCases: TorchLossCase[] = readFixture('torch_losses_reference.json').cases;

/** The fixture's cases of one loss, as [id, case] rows for it.each. */
export function torchCases(loss: TorchLossCase['loss']): Array<readonly [string, TorchLossCase]> {
  const cases = allCases.filter((c) => c.loss === loss);
  if (cases.length === 0) throw new Error(`torch_losses_reference.json has no ${loss} cases`);
  return cases.map((c) => [c.id, c] as const);
}

/**
 * Tolerances, float32 against float64. Measured on cpu and wasm over every case: values within
 * 1.4e-7 relative (reduced) and 4e-8 absolute past 2e-6 relative (elementwise: small losses carry
 * the float32 rounding of relu(x) - log σ(|x|) - x·y); gradients within 3.3e-7 absolute (σ(x) - y
 * loses digits for p near y; |grad| <= 2 here). The bounds sit 3-7 times above that.
 */
export const VALUE_TOLERANCE = { abs: 2e-7, rel: 1e-6 };
export const GRAD_TOLERANCE = { abs: 1e-6, rel: 1e-6 };

/** Asserts that `plugin` gives the case's value, gradient and elementwise loss, leaking no tensor (read asynchronously, as every backend allows). */
export function expectTorchCase<P extends LossParams>(plugin: LossPlugin<P>, c: TorchLossCase): Promise<void> {
  const loss = plugin.create(plugin.validate({ ...c.params, reduction: c.reduction }));
  return expectNoLeakAsync(async () => {
    const targets = c.loss === 'ce' ? tf.tensor1d(c.targets as number[], 'int32') : tf.tensor2d(c.targets as Matrix);
    const weights = c.weights ? tf.tensor2d(c.weights) : undefined;
    const reduced = await readLossValueAndGrad(loss, c.logits, targets, { weights });
    expectClose(reduced.value, [c.value], VALUE_TOLERANCE.abs, VALUE_TOLERANCE.rel, `${c.id} value`);
    expectClose(reduced.grad, flat(c.grad), GRAD_TOLERANCE.abs, GRAD_TOLERANCE.rel, `${c.id} grad`);
    const elementwise = await readLossValueAndGrad(loss, c.logits, targets, { weights, reduction: 'none' });
    const expected = c.loss === 'ce' ? (c.elementwise_loss as number[]) : flat(c.elementwise_loss as Matrix);
    expectClose(elementwise.value, expected, VALUE_TOLERANCE.abs, VALUE_TOLERANCE.rel, `${c.id} elementwise`);
    tf.dispose([targets, ...(weights ? [weights] : [])]);
  });
}
