/**
 * Conv2DBackpropFilter and Conv2DBackpropInput for wasm (the stock wasm backend lacks the first
 * and has a naive loop for the second): GEMMs on our SIMD kernels where they are loaded
 * (conv2d-gemm.ts), otherwise composed from XNNPACK forward convolutions.
 * NHWC only, dilation 1 (tfjs's conv2d gradient allows nothing else).
 */
import { tf } from '../../tf';
import { composedKernel } from './composed-kernel';
import { assertChannelsLast, axisGeometries, cropAndPadding, filterGradientAxisPads } from './conv-geometry';
import { polyphaseInputGradient } from './polyphase-input-gradient';
import { gemmFilterGradient, gemmInputGradient, gemmKernelsFor, type WasmBackendMemory } from './conv2d-gemm';

/**
 * dW[i, j, ci, co] = Σ_{n,y,x} x[n, y·s + i − top, x·s + j − left, ci] · dy[n, y, x, co], computed as
 * a correlation of x (batch and channels swapped) with dy as the filter, dilated by the stride.
 * @param x [N, H, W, Ci]
 * @param dy [N, Ho, Wo, Co]
 * @returns [fh, fw, Ci, Co]
 */
export function conv2dFilterGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  attrs: tf.Conv2DBackpropFilterAttrs,
): tf.Tensor4D {
  assertChannelsLast(tf.Conv2DBackpropFilter, attrs.dataFormat);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape,
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  assertDyShape(tf.Conv2DBackpropFilter, dy.shape, info.outShape);
  const [h, w] = axisGeometries(info);
  const xByChannel = tf.transpose(x, [3, 1, 2, 0]); // [Ci, H, W, N]
  const dyAsFilter = tf.transpose(dy, [1, 2, 0, 3]); // [Ho, Wo, N, Co]
  const { cropped, padding } = cropAndPadding(xByChannel, [filterGradientAxisPads(h), filterGradientAxisPads(w)]);
  const dwByChannel = tf.conv2d(cropped, dyAsFilter, 1, padding, 'NHWC', [h.stride, w.stride]); // [Ci, fh, fw, Co]
  return tf.transpose(dwByChannel, [1, 2, 0, 3]);
}

/**
 * dx of conv2d: stride-1 convolutions of dy with sub-sampled flipped filters, interleaved.
 * @param dy [N, Ho, Wo, Co]
 * @param filter [fh, fw, Ci, Co]
 * @returns [N, H, W, Ci] with [N, H, W, Ci] = attrs.inputShape
 */
export function conv2dInputGradient(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  attrs: tf.Conv2DBackpropInputAttrs,
): tf.Tensor4D {
  assertChannelsLast(tf.Conv2DBackpropInput, attrs.dataFormat);
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  assertDyShape(tf.Conv2DBackpropInput, dy.shape, info.outShape);
  const channelsSwapped = tf.transpose(filter, [0, 1, 3, 2]); // [fh, fw, Co, Ci]
  return polyphaseInputGradient(info, dy, channelsSwapped, (dyPart, subFilter, padding) =>
    tf.conv2d(dyPart, subFilter, 1, padding, 'NHWC'),
  );
}

/** One-line error when dy does not have the forward output's shape. */
export function assertDyShape(kernelName: string, dyShape: number[], outShape: number[]): void {
  if (dyShape.join() !== outShape.join()) {
    throw new Error(`${kernelName} (wasm): dy has shape [${dyShape}], the forward output is [${outShape}]`);
  }
}

/** The filter gradient from public tf ops only (the guard's fallback, and ours without SIMD kernels). */
export const composedFilterGradient = composedKernel<tf.Conv2DBackpropFilterAttrs>(
  tf.Conv2DBackpropFilter,
  ({ x, dy }, attrs) => conv2dFilterGradient(x as tf.Tensor4D, dy as tf.Tensor4D, attrs),
);

const composedInputGradient = composedKernel<tf.Conv2DBackpropInputAttrs>(
  tf.Conv2DBackpropInput,
  ({ dy, filter }, attrs) => conv2dInputGradient(dy as tf.Tensor4D, filter as tf.Tensor4D, attrs),
);

/** Our SIMD GEMM where it is loaded, else the composition. */
export const conv2dBackpropFilterKernel: tf.KernelConfig = {
  ...composedFilterGradient,
  kernelFunc: (args) => {
    const [x, dy] = [args.inputs.x!, args.inputs.dy!];
    const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    assertChannelsLast(tf.Conv2DBackpropFilter, attrs.dataFormat);
    const info = tf.backend_util.computeConv2DInfo(x.shape as Shape4, attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
    assertDyShape(tf.Conv2DBackpropFilter, dy.shape, info.outShape);
    const kernels = gemmKernelsFor(args.backend, info);
    if (!kernels) return composedFilterGradient.kernelFunc(args);
    return gemmFilterGradient(args.backend as unknown as WasmBackendMemory, kernels, x, dy, info);
  },
};

/** Our SIMD GEMM where it is loaded, else the polyphase composition. */
export const conv2dBackpropInputKernel: tf.KernelConfig = {
  ...composedInputGradient,
  kernelFunc: (args) => {
    const [dy, filter] = [args.inputs.dy!, args.inputs.filter!];
    const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
    assertChannelsLast(tf.Conv2DBackpropInput, attrs.dataFormat);
    const info = tf.backend_util.computeConv2DInfo(attrs.inputShape, filter.shape as Shape4, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
    assertDyShape(tf.Conv2DBackpropInput, dy.shape, info.outShape);
    const kernels = gemmKernelsFor(args.backend, info);
    if (!kernels) return composedInputGradient.kernelFunc(args);
    return gemmInputGradient(args.backend as unknown as WasmBackendMemory, kernels, dy, filter, info);
  },
};

type Shape4 = [number, number, number, number];
