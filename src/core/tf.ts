/**
 * The one TensorFlow.js instance the package uses. Every module imports `tf` from here so that
 * kernels registered by `initBackend` (and the optional tfjs-node backends) land in the same
 * engine the user sees through the public API.
 */
import * as tf from '@tensorflow/tfjs';

export { tf };
