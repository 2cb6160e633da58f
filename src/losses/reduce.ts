/**
 * Reduction shared by the built-in losses: optional per-element weights, `sum` | `mean` | `none`,
 * then division by an optional normalizer (e.g. the number of positives in detection).
 *
 * `mean` is the mean over every element of the loss: N·C for sigmoid losses (like torch's
 * `reduction='mean'` on an elementwise loss) and N for softmax losses. With weights it is still
 * sum(w·loss) / count, not a weighted average.
 */
import { tf } from '../core/tf';
import type { LossComputeOptions, Reduction } from './loss-plugin';

/**
 * The body of a loss. `summed` false: the elementwise loss, [N, C] (sigmoid) or [N] (softmax).
 * `summed` true: the sum of that as a scalar; fused losses fold the sum into their custom
 * gradient, which spares the broadcast of the sum's gradient.
 */
export type LossBody = (summed: boolean) => tf.Tensor;

/** Checks that `weights` broadcasts to `lossShape` without enlarging it. */
function checkWeights(lossName: string, weights: unknown, lossShape: number[]): asserts weights is tf.Tensor {
  if (!(weights instanceof tf.Tensor)) throw new Error(`${lossName}: options.weights must be a tf.Tensor`);
  const shape: number[] = weights.shape;
  const fits = shape.length <= lossShape.length
    && shape.every((d, i) => d === 1 || d === lossShape[lossShape.length - shape.length + i]);
  if (!fits) {
    throw new Error(`${lossName}: options.weights of shape [${shape.join(', ')}] does not broadcast to the loss shape [${lossShape.join(', ')}]`);
  }
}

/** A positive finite number, or a scalar tensor (its value is not read, to avoid a sync). */
function checkNormalizer(lossName: string, normalizer: unknown): asserts normalizer is number | tf.Scalar {
  if (typeof normalizer === 'number') {
    if (!(Number.isFinite(normalizer) && normalizer > 0)) {
      throw new Error(`${lossName}: options.normalizer must be a finite number > 0, got ${normalizer}`);
    }
    return;
  }
  if (!(normalizer instanceof tf.Tensor) || normalizer.rank !== 0) {
    throw new Error(`${lossName}: options.normalizer must be a number or a scalar tf.Tensor`);
  }
}

export function checkReduction(lossName: string, reduction: unknown): asserts reduction is Reduction {
  if (reduction !== 'sum' && reduction !== 'mean' && reduction !== 'none') {
    throw new Error(`${lossName}: reduction must be one of 'sum', 'mean', 'none', got ${JSON.stringify(reduction)}`);
  }
}

/**
 * Applies weights, reduction and normalizer to a loss body.
 * @param lossShape the shape of the elementwise loss: [N, C] or [N].
 * @returns a scalar, or a tensor of `lossShape` when the reduction is `none`.
 */
export function reduceLoss(
  lossName: string,
  body: LossBody,
  lossShape: number[],
  reduction: Reduction,
  options: LossComputeOptions,
): tf.Tensor {
  const { weights, normalizer } = options;
  if (weights !== undefined) checkWeights(lossName, weights, lossShape);
  if (normalizer !== undefined) checkNormalizer(lossName, normalizer);
  let loss: tf.Tensor;
  if (weights === undefined && reduction !== 'none') {
    loss = body(true);
  } else {
    const elementwise = weights === undefined ? body(false) : tf.mul(body(false), tf.cast(weights, 'float32'));
    loss = reduction === 'none' ? elementwise : tf.sum(elementwise);
  }
  if (reduction === 'mean') loss = tf.div(loss, lossShape.reduce((a, b) => a * b, 1));
  return normalizer === undefined ? loss : tf.div(loss, normalizer);
}
