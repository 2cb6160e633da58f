/**
 * DepthwiseConv2dNativeBackpropFilter and DepthwiseConv2dNativeBackpropInput for wasm (absent from
 * the stock backend), composed from XNNPACK depthwise forward convolutions. Channel multiplier M
 * >= 1; stride or dilation may exceed 1, not both (as for the forward op).
 */
import { tf } from '../../tf';
import { composedKernel } from './composed-kernel';
import { axisGeometries, cropAndPadding, filterGradientAxisPads } from './conv-geometry';
import { assertDyShape } from './conv2d-gradients';
import { polyphaseInputGradient } from './polyphase-input-gradient';

/**
 * dW[i, j, c, m] = Σ_{n,y,x} x[n, y·s + i·d − top, x·s + j·d − left, c] · dy[n, y, x, c·M + m].
 * Each (sample, channel) pair becomes one channel of a batch-1 depthwise correlation with dy as the
 * filter (dilation = forward stride, stride = forward dilation); the samples are then summed.
 * @param x [N, H, W, C]
 * @param dy [N, Ho, Wo, C·M]
 * @returns [fh, fw, C, M]
 */
export function depthwiseFilterGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  attrs: tf.DepthwiseConv2dNativeBackpropFilterAttrs,
): tf.Tensor4D {
  const info = tf.backend_util.computeConv2DInfo(
    x.shape,
    attrs.filterShape,
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
  assertDyShape(tf.DepthwiseConv2dNativeBackpropFilter, dy.shape, info.outShape);
  const [batch, height, width, channels] = x.shape;
  const [fh, fw, , multiplier] = attrs.filterShape;
  const [h, w] = axisGeometries(info);
  const xAsChannels = tf.reshape(tf.transpose(x, [1, 2, 0, 3]), [1, height, width, batch * channels]) as tf.Tensor4D;
  const dyAsFilter = tf.reshape(tf.transpose(dy, [1, 2, 0, 3]), [
    info.outHeight,
    info.outWidth,
    batch * channels,
    multiplier,
  ]) as tf.Tensor4D;
  const { cropped, padding } = cropAndPadding(xAsChannels, [filterGradientAxisPads(h), filterGradientAxisPads(w)]);
  const perSample = tf.depthwiseConv2d(cropped, dyAsFilter, [h.dilation, w.dilation], padding, 'NHWC', [
    h.stride,
    w.stride,
  ]); // [1, fh, fw, N·C·M]
  return tf.sum(tf.reshape(perSample, [fh, fw, batch, channels, multiplier]), 2) as tf.Tensor4D;
}

/**
 * dx of a depthwise convolution: polyphase stride-1 depthwise correlations of dy with flipped
 * sub-sampled filters (multiplier 1 on the C·M channels of dy), then a sum over the multiplier.
 * @param dy [N, Ho, Wo, C·M]
 * @param filter [fh, fw, C, M]
 * @returns [N, H, W, C] = attrs.inputShape
 */
export function depthwiseInputGradient(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  attrs: tf.DepthwiseConv2dNativeBackpropInputAttrs,
): tf.Tensor4D {
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape,
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    true,
  );
  assertDyShape(tf.DepthwiseConv2dNativeBackpropInput, dy.shape, info.outShape);
  const [fh, fw, channels, multiplier] = filter.shape;
  const perProductFilter = tf.reshape(filter, [fh, fw, channels * multiplier, 1]) as tf.Tensor4D;
  return polyphaseInputGradient(info, dy, perProductFilter, (dyPart, subFilter, padding, dilations) => {
    const perProduct = tf.depthwiseConv2d(dyPart, subFilter, 1, padding, 'NHWC', dilations); // [N, T, T', C·M]
    if (multiplier === 1) return perProduct;
    const [batch, rows, cols] = perProduct.shape;
    return tf.sum(tf.reshape(perProduct, [batch, rows, cols, channels, multiplier]), 4) as tf.Tensor4D;
  });
}

export const depthwiseBackpropFilterKernel = composedKernel<tf.DepthwiseConv2dNativeBackpropFilterAttrs>(
  tf.DepthwiseConv2dNativeBackpropFilter,
  ({ x, dy }, attrs) => depthwiseFilterGradient(x as tf.Tensor4D, dy as tf.Tensor4D, attrs),
);

export const depthwiseBackpropInputKernel = composedKernel<tf.DepthwiseConv2dNativeBackpropInputAttrs>(
  tf.DepthwiseConv2dNativeBackpropInput,
  ({ dy, filter }, attrs) => depthwiseInputGradient(dy as tf.Tensor4D, filter as tf.Tensor4D, attrs),
);
