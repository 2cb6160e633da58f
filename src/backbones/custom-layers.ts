/**
 * The package's layer classes that tf.serialization must know: GroupNormalization (tfjs-layers has
 * none) and our BatchNormalization, which takes over tfjs-layers' class name so that every model
 * built or loaded trains with the closed-form batch-norm gradient (batch-norm.ts).
 */
import { tf } from '../core/tf';
import { BatchNormalization } from './batch-norm';
import { GroupNormalization } from './group-norm';

let registered = false;

/**
 * Makes the package's layers known to `tf.loadLayersModel`. Called by the composition root (and
 * by anything loading a saved model); safe to call more than once.
 */
export function registerCustomLayers(): void {
  if (registered) return;
  tf.serialization.registerClass(GroupNormalization);
  tf.serialization.registerClass(BatchNormalization);
  registered = true;
}
