/**
 * Inference over a whole split, batch by batch, with only host arrays surviving each batch.
 */
import { tf } from '../../core/tf';
import type { Batch, BatchSource } from '../../core/engine/task';

/**
 * Runs `model` in inference mode over every batch of `source` (epoch 0 of an unshuffled
 * evaluation source) and hands each batch's outputs to `collect` inside a tidy scope.
 */
export async function forEachPrediction<Item>(
  model: tf.LayersModel,
  source: BatchSource<Item>,
  collect: (outputs: tf.Tensor | tf.Tensor[], batch: Batch<Item>) => void,
): Promise<void> {
  for await (const batch of source.batches(0)) {
    tf.tidy(() => {
      const x = tf.tensor4d(batch.images, batch.shape);
      collect(model.predict(x) as tf.Tensor | tf.Tensor[], batch);
    });
  }
}
