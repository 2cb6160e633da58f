/** Reading a saved layers model's weights in tests, without building the model. */
import { tf } from '../../../src/core/tf';
import { readLayersModelFolder } from '../../../src/core/engine/model-io';

/** The weights of a layers-model folder by saved name, as host arrays. */
export function weightsOf(dir: string): Map<string, Float32Array> {
  const { weightSpecs, weightData } = readLayersModelFolder(dir, () => undefined);
  const tensors = tf.io.decodeWeights(weightData, weightSpecs);
  const values = new Map(Object.entries(tensors).map(([name, t]) => [name, t.dataSync() as Float32Array]));
  tf.dispose(Object.values(tensors));
  return values;
}
