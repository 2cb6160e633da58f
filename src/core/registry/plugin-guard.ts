/**
 * What every plugin component is checked with: the error type whose message names the plugin
 * file, how a value is described in such a message, and the guard around a plugin's loss that
 * checks each compute() call on real batches. tfjs would report a wrong shape deep in its gradient
 * code naming nothing; the guard stops the run with one line naming the file.
 */
import { tf } from '../tf';
import type { Loss, LossComputeOptions } from '../../losses/loss-plugin';

export class PluginError extends Error {}

/** `value` in a message: `null`, `an array`, `a Promise`, `an object`, or its typeof. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof (value as PromiseLike<unknown> | undefined)?.then === 'function') return 'a Promise';
  return typeof value === 'object' ? 'an object' : `${typeof value}`;
}

export const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/** `err`'s message, first line, for a one-line report. */
export const reason = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n')[0];

/** `loss` with every compute() call checked; errors name `source` (the plugin's file). */
export function guardPluginLoss(loss: Loss, source: string): Loss {
  const where = `plugin ${source}: loss '${loss.name}'`;
  return {
    name: loss.name,
    kind: loss.kind,
    params: loss.params,
    compute(logits: tf.Tensor, targets: tf.Tensor, options: LossComputeOptions = {}): tf.Tensor {
      let value: unknown;
      try {
        value = loss.compute(logits, targets, options);
      } catch (err) {
        throw new PluginError(`${where}: compute() failed on logits of shape ${shapeText(logits.shape)} (${reason(err)})`);
      }
      if (!(value instanceof tf.Tensor)) {
        // A rejected promise is reported here, once, not again as an unhandled rejection.
        if (describeValue(value) === 'a Promise') (value as Promise<unknown>).then(undefined, () => undefined);
        throw new PluginError(`${where}: compute() must return a tf.Tensor synchronously, got ${describeValue(value)}`);
      }
      const elementwise = (options.reduction ?? loss.params.reduction) === 'none';
      const expected = !elementwise ? [] : loss.kind === 'sigmoid' ? logits.shape : [logits.shape[0]];
      if (value.shape.join() !== expected.join()) {
        const wanted = elementwise ? `shape ${shapeText(expected)} (reduction 'none')` : 'a scalar';
        throw new PluginError(`${where}: compute() returned shape ${shapeText(value.shape)} for logits of shape ${shapeText(logits.shape)}, expected ${wanted}`);
      }
      return value;
    },
  };
}
