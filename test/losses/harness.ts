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

/** The loss and d(sum of its output)/d(logits) through tf.grad, on float32 logits built from `logits`; the caller disposes both. */
function lossTensors(loss: Loss, logits: Matrix, targets: tf.Tensor, options?: LossComputeOptions): [tf.Tensor, tf.Tensor] {
  return tf.tidy(() => {
    const x = tf.tensor2d(logits);
    const grad = tf.grad((l: tf.Tensor) => tf.sum(loss.compute(l, targets, options)))(x);
    return [loss.compute(x, targets, options), grad];
  });
}

/** The loss and its gradient (lossTensors), read synchronously; disposes everything. */
export function lossValueAndGrad(loss: Loss, logits: Matrix, targets: tf.Tensor, options?: LossComputeOptions): ValueAndGrad {
  const [value, grad] = lossTensors(loss, logits, targets, options);
  const result = { value: Array.from(value.dataSync()), grad: Array.from(grad.dataSync()) };
  tf.dispose([value, grad]);
  return result;
}

/** As lossValueAndGrad, read asynchronously: WebGPU in Node has no synchronous read of GPU data. */
export async function readLossValueAndGrad(loss: Loss, logits: Matrix, targets: tf.Tensor, options?: LossComputeOptions): Promise<ValueAndGrad> {
  const [value, grad] = lossTensors(loss, logits, targets, options);
  const [v, g] = await Promise.all([value.data(), grad.data()]);
  tf.dispose([value, grad]);
  return { value: Array.from(v), grad: Array.from(g) };
}

/** Runs the async `fn` and asserts it left no tensor behind. */
export async function expectNoLeakAsync<T>(fn: () => Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  expect(tf.memory().numTensors).toBe(before);
  return result;
}
