/**
 * A model's training-mode outputs with no side effect on the model: what a head that assigns
 * targets from its predictions reads before the gradient tape on backends that read back only
 * asynchronously (TaskAdapter.prepareStep).
 */
import { tf } from '../tf';
import type { Batch } from './task';
import { withSeededMathRandom } from './seeded-math-random';

/**
 * The outputs of `model` on `batch` in training mode, as the taped step computes them (same
 * weights, batch statistics and `seed`), with the state a training-mode call updates (batch
 * norm's moving averages: every non-trainable weight) put back afterwards. The caller disposes them.
 */
export function forwardWithoutUpdates(model: tf.LayersModel, batch: Pick<Batch<unknown>, 'images' | 'shape'>, seed: number): tf.Tensor | tf.Tensor[] {
  const state = model.nonTrainableWeights.map((w) => w.read() as tf.Variable);
  const saved = state.map((v) => tf.clone(v));
  try {
    return tf.tidy(() => withSeededMathRandom(seed, () => model.apply(tf.tensor4d(batch.images, batch.shape), { training: true }) as tf.Tensor | tf.Tensor[]));
  } finally {
    state.forEach((v, i) => v.assign(saved[i]));
    tf.dispose(saved);
  }
}
