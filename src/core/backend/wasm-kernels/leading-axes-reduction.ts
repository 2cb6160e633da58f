/**
 * Sum and Mean over leading axes for wasm, as one XNNPACK average pooling. The stock kernels
 * first transpose the reduced axes innermost; batch-norm statistics, their gradients and every
 * bias gradient reduce an NHWC activation over N, H and W, where that made each reduction 5-15x
 * slower than the pooling (measured on the activations of a training step). A product with a
 * row of ones is no faster: tfjs's wasm matMul re-packs its right operand on every new tensor.
 *
 * x [d0, …, dk-1, dk, …] over axes 0..k-1 → x as an image [1, rows, 1, cols] with rows =
 * d0·…·dk-1, pooled by a [rows, 1] window: the mean, times rows for the sum.
 */
import { tf } from '../../tf';
import { composedKernel, withStockFallback } from './composed-kernel';

interface ReductionAttrs {
  axis: number | number[];
  keepDims: boolean;
}

/**
 * Rows and columns of the pooled image when `axis` is exactly the leading axes 0..k-1 of a non-empty
 * tensor and leaves some axis; undefined otherwise (the stock kernel then runs).
 */
export function leadingAxesPlan(shape: number[], axis: number | number[]): { rows: number; cols: number } | undefined {
  const axes = [...new Set(tf.util.parseAxisParam(axis, shape))].sort((a, b) => a - b);
  const k = axes.length;
  if (k === 0 || k === shape.length || axes.some((a, i) => a !== i)) return undefined;
  const rows = shape.slice(0, k).reduce((a, b) => a * b, 1);
  const cols = shape.slice(k).reduce((a, b) => a * b, 1);
  return rows > 0 && cols > 0 ? { rows, cols } : undefined;
}

function reduceLeadingAxes(x: tf.Tensor, { axis, keepDims }: ReductionAttrs, mean: boolean): tf.Tensor {
  const { rows, cols } = leadingAxesPlan(x.shape, axis)!;
  const k = new Set(tf.util.parseAxisParam(axis, x.shape)).size;
  const average = tf.avgPool(tf.reshape(x, [1, rows, 1, cols]) as tf.Tensor4D, [rows, 1], 1, 'valid');
  const reduced = mean ? average : tf.mul(average, rows);
  const kept = x.shape.slice(k);
  return tf.reshape(reduced, keepDims ? [...x.shape.slice(0, k).map(() => 1), ...kept] : kept);
}

/**
 * Wraps the stock `Sum` or `Mean` (captured before it is replaced): float32 reductions over
 * leading axes take the product, everything else the stock kernel.
 */
export function leadingAxesReductionKernel(kernelName: 'Sum' | 'Mean', stock: tf.KernelConfig | undefined): tf.KernelConfig {
  const composed = composedKernel<ReductionAttrs>(kernelName, ({ x }, attrs) => reduceLeadingAxes(x, attrs, kernelName === 'Mean'));
  return withStockFallback(stock, composed, ({ inputs, attrs }) => {
    const x = inputs.x as tf.TensorInfo;
    return x.dtype === 'float32' && leadingAxesPlan(x.shape, (attrs as unknown as ReductionAttrs).axis) !== undefined;
  });
}
