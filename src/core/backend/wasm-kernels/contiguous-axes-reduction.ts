/**
 * Sum and Mean over a run of adjacent axes for wasm, as one XNNPACK average pooling. The stock
 * kernels first transpose the reduced axes innermost; batch-norm statistics, their gradients and
 * every bias gradient reduce an NHWC activation over N, H and W, global average pooling over H
 * and W, where that made each reduction 5-15x slower than the pooling (measured on the
 * activations of a training step). A product with a row of ones is no faster: tfjs's wasm matMul
 * re-packs its right operand on every new tensor.
 *
 * x [d0, …, da-1 | da, …, db | db+1, …] over axes a..b → x as images [outer, rows, 1, cols] with
 * outer = d0·…·da-1, rows = da·…·db, cols = db+1·…, pooled by a [rows, 1] window: the mean,
 * times rows for the sum.
 */
import { tf } from '../../tf';
import { composedKernel, withStockFallback } from './composed-kernel';

interface ReductionAttrs {
  axis: number | number[];
  keepDims: boolean;
}

const product = (dims: number[]) => dims.reduce((a, b) => a * b, 1);

/**
 * The pooled images' geometry when `axis` is a run of adjacent axes of a non-empty tensor that
 * leaves some axis after it; undefined otherwise (the stock kernel then runs).
 */
export function contiguousAxesPlan(shape: number[], axis: number | number[]): { outer: number; rows: number; cols: number } | undefined {
  const axes = [...new Set(tf.util.parseAxisParam(axis, shape))].sort((a, b) => a - b);
  if (axes.length === 0) return undefined;
  const [first, last] = [axes[0], axes[axes.length - 1]];
  if (last - first + 1 !== axes.length || last === shape.length - 1) return undefined;
  const plan = { outer: product(shape.slice(0, first)), rows: product(shape.slice(first, last + 1)), cols: product(shape.slice(last + 1)) };
  return plan.outer > 0 && plan.rows > 0 && plan.cols > 0 ? plan : undefined;
}

function reduceContiguousAxes(x: tf.Tensor, { axis, keepDims }: ReductionAttrs, mean: boolean): tf.Tensor {
  const { outer, rows, cols } = contiguousAxesPlan(x.shape, axis)!;
  const axes = tf.util.parseAxisParam(axis, x.shape);
  const average = tf.avgPool(tf.reshape(x, [outer, rows, 1, cols]) as tf.Tensor4D, [rows, 1], 1, 'valid');
  const reduced = mean ? average : tf.mul(average, rows);
  const shape = keepDims ? x.shape.map((d, a) => (axes.includes(a) ? 1 : d)) : x.shape.filter((_, a) => !axes.includes(a));
  return tf.reshape(reduced, shape);
}

/**
 * Wraps the stock `Sum` or `Mean` (captured before it is replaced): float32 reductions over
 * adjacent axes take the pooling, everything else the stock kernel.
 */
export function contiguousAxesReductionKernel(kernelName: 'Sum' | 'Mean', stock: tf.KernelConfig | undefined): tf.KernelConfig {
  const composed = composedKernel<ReductionAttrs>(kernelName, ({ x }, attrs) => reduceContiguousAxes(x, attrs, kernelName === 'Mean'));
  return withStockFallback(stock, composed, ({ inputs, attrs }) => {
    const x = inputs.x as tf.TensorInfo;
    return x.dtype === 'float32' && contiguousAxesPlan(x.shape, (attrs as unknown as ReductionAttrs).axis) !== undefined;
  });
}
