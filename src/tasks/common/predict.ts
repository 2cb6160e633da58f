/**
 * Inference over a whole split, batch by batch, with only host arrays surviving each batch.
 */
import { tf } from '../../core/tf';
import type { Batch, BatchSource } from '../../core/engine/task';

/**
 * Runs `model` in inference mode over every batch of `source` (epoch 0 of an unshuffled
 * evaluation source), turns each batch's outputs into one tensor with `readout` (e.g. sigmoid
 * scores; inside a tidy scope) and hands its values, read back asynchronously as GPU backends
 * require, to `collect`.
 */
export async function forEachPrediction<Item>(
  model: tf.LayersModel,
  source: BatchSource<Item>,
  readout: (outputs: tf.Tensor | tf.Tensor[]) => tf.Tensor,
  collect: (values: Float32Array, batch: Batch<Item>) => void,
): Promise<void> {
  for await (const batch of source.batches(0)) {
    const result = tf.tidy(() => readout(model.predict(tf.tensor4d(batch.images, batch.shape)) as tf.Tensor | tf.Tensor[]));
    let values: Float32Array;
    try {
      values = (await result.data()) as Float32Array;
    } finally {
      result.dispose();
    }
    collect(values, batch);
  }
}
