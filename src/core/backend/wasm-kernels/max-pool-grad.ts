/**
 * MaxPoolGrad for wasm. The stock kernel (tfjs-backend-wasm 4.22) routes the gradient to wrong
 * positions whenever there is more than one channel, and its MaxPoolWithArgmax is wrong too, so
 * the window argmax is found here from strided views of the input instead.
 */
import { tf } from '../../tf';
import { composedKernel } from './composed-kernel';
import { assertDyShape } from './conv2d-gradients';

/**
 * dx[n, h, w, c] = Σ of dy over the windows whose first maximum (row-major within the window, as
 * the cpu kernel and TensorFlow choose) is input position (h, w).
 * @param dy [N, Ho, Wo, C]
 * @param input [N, H, W, C] the forward input
 * @returns [N, H, W, C]
 */
export function maxPoolInputGradient(dy: tf.Tensor4D, input: tf.Tensor4D, attrs: tf.MaxPoolGradAttrs): tf.Tensor4D {
  const info = tf.backend_util.computePool2DInfo(input.shape, attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  assertDyShape(tf.MaxPoolGrad, dy.shape, info.outShape);
  const [batch, height, width, channels] = input.shape;
  const { outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  // Pad with -inf so that every window lies inside the padded input and never picks padding.
  const paddedHeight = Math.max(height + top, (outHeight - 1) * strideHeight + filterHeight);
  const paddedWidth = Math.max(width + left, (outWidth - 1) * strideWidth + filterWidth);
  const padded = tf.pad(
    input,
    [[0, 0], [top, paddedHeight - height - top], [left, paddedWidth - width - left], [0, 0]],
    -Infinity,
  );

  const tapViews: tf.Tensor[] = [];
  const tapOffsets: number[] = [];
  for (let a = 0; a < filterHeight; a++) {
    for (let b = 0; b < filterWidth; b++) {
      const end = [batch, a + (outHeight - 1) * strideHeight + 1, b + (outWidth - 1) * strideWidth + 1, channels];
      tapViews.push(tf.stridedSlice(padded, [0, a, b, 0], end, [1, strideHeight, strideWidth, 1]));
      tapOffsets.push((a * paddedWidth + b) * channels);
    }
  }
  const winningTap = tf.argMax(tf.stack(tapViews, 4), 4); // [N, Ho, Wo, C]

  // Flat index into the padded input of each window's top-left corner, plus the winning tap's offset.
  const axisIndex = (size: number, step: number, axis: number) =>
    tf.reshape(tf.mul(tf.range(0, size, 1, 'int32'), tf.scalar(step, 'int32')), [1, 1, 1, 1].map((one, k) => (k === axis ? size : one)));
  const rowSize = paddedWidth * channels;
  const corner = tf.addN([
    axisIndex(batch, paddedHeight * rowSize, 0),
    axisIndex(outHeight, strideHeight * rowSize, 1),
    axisIndex(outWidth, strideWidth * channels, 2),
    axisIndex(channels, 1, 3),
  ].map((t) => tf.broadcastTo(t, [batch, outHeight, outWidth, channels])));
  const target = tf.add(corner, tf.gather(tf.tensor1d(tapOffsets, 'int32'), winningTap));

  const paddedGradient = tf.scatterND(tf.reshape(target, [-1, 1]), tf.reshape(dy, [-1]), [batch * paddedHeight * rowSize]);
  return tf.slice(tf.reshape(paddedGradient, [batch, paddedHeight, paddedWidth, channels]), [0, top, left, 0], input.shape) as tf.Tensor4D;
}

export const maxPoolGradKernel = composedKernel<tf.MaxPoolGradAttrs>(tf.MaxPoolGrad, ({ dy, input }, attrs) =>
  maxPoolInputGradient(dy as tf.Tensor4D, input as tf.Tensor4D, attrs),
);
