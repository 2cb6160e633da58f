/** Shared test plumbing for the loss tests: backends, leak checks, value-and-gradient runs. */
import { tf } from '../../src/core/tf';
import type { Loss, LossComputeOptions } from '../../src/losses/loss-plugin';
import type { Matrix } from './oracle';

/** Every loss test runs on both portable backends. */
export const BACKENDS = ['cpu', 'wasm'] as const;

/** Runs `fn` and asserts it left no tensor behind. */
export function expectNoLeak<T>(fn: () => T): T {
  const before = tf.memory().numTensors;
  const result = fn();
  expect(tf.memory().numTensors).toBe(before);
  return result;
}

export interface ValueAndGrad {
  value: number[];
  grad: number[];
}

/**
 * Evaluates the loss and d(sum of its output)/d(logits) through tf.grad, on float32
 * logits built from `logits`; disposes everything.
 */
export function lossValueAndGrad(loss: Loss, logits: Matrix, targets: tf.Tensor, options?: LossComputeOptions): ValueAndGrad {
  return tf.tidy(() => {
    const x = tf.tensor2d(logits);
    const grad = tf.grad((l: tf.Tensor) => tf.sum(loss.compute(l, targets, options)))(x);
    const value = loss.compute(x, targets, options);
    return { value: Array.from(value.dataSync()), grad: Array.from(grad.dataSync()) };
  });
}
