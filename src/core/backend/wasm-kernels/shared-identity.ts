/**
 * Identity for wasm without a copy. tfjs-core clones every tensor a gradient will need
 * (`saveTensorsForBackwardMode`), and the stock wasm Identity copies the data each time: in a
 * residual network's training step that is 300 copies of activations. Tensor data is immutable
 * (variables are re-pointed, never written in place), so the clone can share the data with one
 * more reference, as Reshape does here and Identity does on the cpu backend.
 */
import { tf } from '../../tf';
import { withStockFallback } from './composed-kernel';

interface RefCountingBackend {
  incRef(dataId: tf.DataId): void;
}

/** Wraps the stock Identity, kept for strings, whose bytes live outside the wasm heap. */
export function sharedIdentityKernel(stock: tf.KernelConfig | undefined): tf.KernelConfig {
  return withStockFallback(
    'Identity',
    stock,
    ({ inputs }) => ((inputs.x as tf.TensorInfo).dtype !== 'string' ? (inputs.x as tf.TensorInfo) : undefined),
    ({ backend }, x) => {
      (backend as unknown as RefCountingBackend).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  );
}
