/**
 * Sum and Mean over a run of adjacent axes for wasm: column sums on our SIMD kernels, or one
 * XNNPACK average pooling where those are not loaded. The stock kernels first transpose the
 * reduced axes innermost; batch-norm statistics, their gradients and every bias gradient reduce
 * an NHWC activation over N, H and W, global average pooling over H and W, where that made each
 * reduction 5-15x slower than the pooling (measured on the activations of a training step). A
 * product with a row of ones is no faster: tfjs's wasm matMul re-packs its right operand on every
 * new tensor. The pooling, its scaling and reshapes cost ~100 µs of op overhead even for a tiny
 * tensor (a dense layer's bias gradient); the column sums, a few µs.
 *
 * x [d0, …, da-1 | da, …, db | db+1, …] over axes a..b → x as [outer, rows, cols] with
 * outer = d0·…·da-1, rows = da·…·db, cols = db+1·…, summed over rows (÷ rows for the mean).
 */
import { tf } from '../../tf';
import { UnitKind } from '../simd/kernels-wat';
import { floatParam, simdKernelsFor } from '../simd/simd-kernels';
import { composedKernel, withStockFallback } from './composed-kernel';
import { offsetOf, type WasmBackendMemory } from './conv2d-gemm';

interface ReductionAttrs {
  axis: number | number[];
  keepDims: boolean;
}

/**
 * The pooled images' geometry when `axis` is a run of adjacent axes of a non-empty tensor that
 * leaves some axis after it; undefined otherwise (the stock kernel then runs).
 */
export function contiguousAxesPlan(shape: number[], axis: number | number[]): { outer: number; rows: number; cols: number } | undefined {
  const axes = [...new Set(tf.util.parseAxisParam(axis, shape))].sort((a, b) => a - b);
  if (axes.length === 0) return undefined;
  const [first, last] = [axes[0], axes[axes.length - 1]];
  if (last - first + 1 !== axes.length || last === shape.length - 1) return undefined;
  const size = tf.util.sizeFromShape;
  const plan = { outer: size(shape.slice(0, first)), rows: size(shape.slice(first, last + 1)), cols: size(shape.slice(last + 1)) };
  return plan.outer > 0 && plan.rows > 0 && plan.cols > 0 ? plan : undefined;
}

/** x's shape without the reduced axes, or with 1 for each when `keepDims`. */
function reducedShape(shape: number[], { axis, keepDims }: ReductionAttrs): number[] {
  const axes = tf.util.parseAxisParam(axis, shape);
  return keepDims ? shape.map((d, a) => (axes.includes(a) ? 1 : d)) : shape.filter((_, a) => !axes.includes(a));
}

/** The composed path: x as images [outer, rows, 1, cols] pooled by a [rows, 1] window. */
export function reduceByPooling(x: tf.Tensor, attrs: ReductionAttrs, mean: boolean): tf.Tensor {
  const { outer, rows, cols } = contiguousAxesPlan(x.shape, attrs.axis)!;
  const average = tf.avgPool(tf.reshape(x, [outer, rows, 1, cols]) as tf.Tensor4D, [rows, 1], 1, 'valid');
  return tf.reshape(mean ? average : tf.mul(average, rows), reducedShape(x.shape, attrs));
}

/** Rows summed in order into one partial sum; longer reductions sum the partials in a second pass. */
const CHUNK_ROWS = 256;

type ReductionPlan = NonNullable<ReturnType<typeof contiguousAxesPlan>>;

function reduceByColumnSums(backend: WasmBackendMemory, x: tf.TensorInfo, attrs: ReductionAttrs, mean: boolean, { outer, rows, cols }: ReductionPlan): tf.TensorInfo {
  const kernels = simdKernelsFor(backend)!;
  const out = backend.makeOutput(reducedShape(x.shape, attrs), 'float32');
  const [xAt, outAt, divisor] = [offsetOf(backend, x), offsetOf(backend, out), floatParam(mean ? rows : 1)];
  const chunks = Math.ceil(rows / CHUNK_ROWS);
  if (chunks === 1) {
    kernels.run(UnitKind.SumRows, outer, [xAt, outAt, rows, cols, rows, divisor]);
    return out;
  }
  const partials = backend.wasm._malloc(outer * chunks * cols * 4);
  try {
    kernels.run(UnitKind.SumRows, outer * chunks, [xAt, partials, rows, cols, CHUNK_ROWS, floatParam(1)]);
    kernels.run(UnitKind.SumRows, outer, [partials, outAt, chunks, cols, chunks, divisor]);
  } finally {
    backend.wasm._free(partials);
  }
  return out;
}

/**
 * Wraps the stock `Sum` or `Mean` (captured before it is replaced): float32 reductions over
 * adjacent axes take the column sums (or the pooling), everything else the stock kernel.
 */
export function contiguousAxesReductionKernel(kernelName: 'Sum' | 'Mean', stock: tf.KernelConfig | undefined): tf.KernelConfig {
  const mean = kernelName === 'Mean';
  const pooled = composedKernel<ReductionAttrs>(kernelName, ({ x }, attrs) => reduceByPooling(x, attrs, mean));
  return withStockFallback(
    kernelName,
    stock,
    ({ inputs, attrs }) => {
      const x = inputs.x as tf.TensorInfo;
      return x.dtype === 'float32' ? contiguousAxesPlan(x.shape, (attrs as unknown as ReductionAttrs).axis) : undefined;
    },
    (args, plan) => {
      if (!simdKernelsFor(args.backend)) return pooled.kernelFunc(args);
      return reduceByColumnSums(args.backend as unknown as WasmBackendMemory, args.inputs.x as tf.TensorInfo, args.attrs as unknown as ReductionAttrs, mean, plan);
    },
  );
}
