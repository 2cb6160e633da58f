/**
 * ReLU's gradient for wasm as one threaded SIMD pass. tfjs computes it as dy · cast(step(x)):
 * three kernels over the activation, ~1.8 ms for 1M values here against ~0.5 ms for one pass
 * (~4 ms of the reference CNN's ~50 ms step). The forward Relu stays XNNPACK's, which is faster
 * than our pass (0.2 vs 0.35 ms, measured).
 */
import { tf } from '../../tf';
import { UnitKind } from '../simd/kernels-wat';
import { simdKernelsFor } from '../simd/simd-kernels';
import { composedKernel } from './composed-kernel';
import { offsetOf, type WasmBackendMemory } from './conv2d-gemm';

/** Our kernel name for dy masked by x > 0 (TensorFlow's ReluGrad; tfjs has none). */
export const RELU_GRADIENT = 'AslRunReluGrad';

/** Elements per unit of work; smaller tensors are not worth waking the pool for. */
const CHUNK = 1 << 15;

function simdReluGradient(backend: WasmBackendMemory, dy: tf.TensorInfo, x: tf.TensorInfo): tf.TensorInfo {
  const out = backend.makeOutput(dy.shape, 'float32');
  const count = tf.util.sizeFromShape(dy.shape);
  const at = (t: tf.TensorInfo) => offsetOf(backend, t);
  simdKernelsFor(backend)!.run(UnitKind.ReluGradient, Math.ceil(count / CHUNK), [at(dy), at(x), at(out), count, CHUNK]);
  return out;
}

const usesSimd = (backend: object, t: tf.TensorInfo) =>
  t.dtype === 'float32' && tf.util.sizeFromShape(t.shape) >= CHUNK && simdKernelsFor(backend) !== undefined;

/** tfjs's own dy · cast(step(x)): equal to ours except that a non-finite dy at x ≤ 0 gives NaN there. */
function composedReluGradient(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  return tf.mul(dy, tf.cast(tf.step(x), 'float32'));
}

const composedGradientKernel = composedKernel(RELU_GRADIENT, ({ dy, x }) => composedReluGradient(dy, x));

export const reluGradientKernel: tf.KernelConfig = {
  ...composedGradientKernel,
  kernelFunc: (args) => {
    const { dy, x } = args.inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
    if (usesSimd(args.backend, dy) && dy.shape.join() === x.shape.join()) {
      return simdReluGradient(args.backend as unknown as WasmBackendMemory, dy, x);
    }
    return composedGradientKernel.kernelFunc(args);
  },
};

/**
 * Relu's gradient through RELU_GRADIENT on backends that have it (wasm, where we register it),
 * tfjs's own composition elsewhere. Gradients are registered per op, not per backend, hence the check.
 */
export const reluGradientConfig: tf.GradConfig = {
  kernelName: tf.Relu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    const single = dy as tf.Tensor;
    return {
      x: () =>
        tf.getKernel(RELU_GRADIENT, tf.getBackend())
          ? (tf.engine().runKernel(RELU_GRADIENT, { dy: single, x }) as tf.Tensor)
          : composedReluGradient(single, x),
    };
  },
};
