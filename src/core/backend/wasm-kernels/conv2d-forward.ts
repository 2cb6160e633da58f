/**
 * Conv2D for wasm on our SIMD GEMM where it is loaded, the output channels fill whole GEMM
 * columns and the filter has enough taps to amortise im2col (measured: 3×3×32 and up run
 * 1.5–1.8× XNNPACK's convolution; a 3-channel stem runs slower); XNNPACK's stock kernel
 * everywhere else. Training runs this kernel, not FusedConv2D: tfjs unfuses bias and activation
 * while gradients are recorded.
 */
import { tf } from '../../tf';
import { GEMM_COLS } from '../simd/kernels-wat';
import { withStockFallback } from './composed-kernel';
import { gemmConvolution, gemmKernelsFor, type WasmBackendMemory } from './conv2d-gemm';
import type { SimdKernels } from '../simd/simd-kernels';

/** Fewest filter taps (fh·fw·Ci) for which the GEMM path is taken. */
const MIN_GEMM_TAPS = 64;

type KernelArgs = Parameters<tf.KernelFunc>[0];

function convolutionInfo({ inputs, attrs }: KernelArgs): tf.backend_util.Conv2DInfo {
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs as unknown as tf.Conv2DAttrs;
  const shape4 = (t: tf.TensorInfo | undefined) => t!.shape as [number, number, number, number];
  return tf.backend_util.computeConv2DInfo(
    shape4(inputs.x),
    shape4(inputs.filter),
    strides,
    dilations,
    pad,
    dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(dataFormat),
  );
}

/** The convolution's geometry and our kernels, where the GEMM path applies. */
function gemmPlan(args: KernelArgs): { info: tf.backend_util.Conv2DInfo; kernels: SimdKernels } | undefined {
  const info = convolutionInfo(args);
  const taps = info.filterHeight * info.filterWidth * info.inChannels;
  if (args.inputs.x!.dtype !== 'float32' || info.outChannels % GEMM_COLS !== 0 || taps < MIN_GEMM_TAPS) return undefined;
  const kernels = gemmKernelsFor(args.backend, info);
  return kernels && { info, kernels };
}

export function conv2dForwardKernel(stock: tf.KernelConfig | undefined): tf.KernelConfig {
  return withStockFallback(tf.Conv2D, stock, gemmPlan, ({ backend, inputs }, { info, kernels }) =>
    gemmConvolution(backend as unknown as WasmBackendMemory, kernels, inputs.x!, inputs.filter!, info),
  );
}
