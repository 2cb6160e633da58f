/**
 * Add of a bias vector over the last axis (x[…, C] + b[C], either order) for wasm as one
 * threaded SIMD pass. Every convolution with a bias adds it as its own op while training (tfjs
 * fuses it only without gradients); XNNPACK's broadcasting add took 0.9 ms for the reference
 * CNN's first 1M-value activation. Other adds keep the stock kernel.
 */
import { tf } from '../../tf';
import { UnitKind } from '../simd/kernels-wat';
import { simdKernelsFor } from '../simd/simd-kernels';
import { withStockFallback } from './composed-kernel';
import { offsetOf, type WasmBackendMemory } from './conv2d-gemm';

/** Values per unit of work, in whole rows; smaller adds keep the stock kernel. */
const CHUNK = 1 << 15;

/** [x, bias] when one input is a float32 [.., C] of at least CHUNK values and the other a float32 [C]. */
function biasOperands(a: tf.TensorInfo, b: tf.TensorInfo): [tf.TensorInfo, tf.TensorInfo] | undefined {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  const [x, bias] = a.shape.length >= b.shape.length ? [a, b] : [b, a];
  const channels = x.shape[x.shape.length - 1];
  return bias.shape.length === 1 && bias.shape[0] === channels && x.shape.length >= 2 && tf.util.sizeFromShape(x.shape) >= CHUNK ? [x, bias] : undefined;
}

function simdBiasAdd(backend: WasmBackendMemory, x: tf.TensorInfo, bias: tf.TensorInfo): tf.TensorInfo {
  const out = backend.makeOutput(x.shape, 'float32');
  const channels = bias.shape[0];
  const rows = tf.util.sizeFromShape(x.shape) / channels;
  const rowsPerUnit = Math.max(1, Math.floor(CHUNK / channels));
  simdKernelsFor(backend)!.run(UnitKind.BiasAdd, Math.ceil(rows / rowsPerUnit), [
    offsetOf(backend, x), offsetOf(backend, bias), offsetOf(backend, out), rows, channels, rowsPerUnit,
  ]);
  return out;
}

/** Wraps the stock Add (captured before it is replaced), which runs every other add. */
export function biasAddKernel(stock: tf.KernelConfig | undefined): tf.KernelConfig {
  return withStockFallback(
    'Add',
    stock,
    ({ inputs, backend }) => (simdKernelsFor(backend) ? biasOperands(inputs.a as tf.TensorInfo, inputs.b as tf.TensorInfo) : undefined),
    ({ backend }, [x, bias]) => simdBiasAdd(backend as unknown as WasmBackendMemory, x, bias),
  );
}
