/**
 * UnsortedSegmentSum for wasm (absent from the stock backend, so tf.gather had no gradient there).
 * Built on ScatterNd, which sums duplicate indices in O(rows) time and memory; a one-hot matmul
 * would cost numSegments × rows and spread a NaN in any row to every segment.
 */
import { tf } from '../../tf';
import { composedKernel } from './composed-kernel';

/**
 * out[s, ...] = Σ over positions p with segmentIds[p] = s of x[p, ...]; ids outside
 * [0, numSegments) are dropped, as TensorFlow does.
 * @param x [...idsShape, ...inner]
 * @param segmentIds int32 of shape idsShape (a prefix of x's shape)
 * @returns [numSegments, ...inner], dtype of x
 */
export function unsortedSegmentSum(x: tf.Tensor, segmentIds: tf.Tensor, numSegments: number): tf.Tensor {
  const idsShape = segmentIds.shape;
  if (idsShape.some((size, axis) => size !== x.shape[axis])) {
    throw new Error(`UnsortedSegmentSum (wasm): segmentIds shape [${idsShape}] is not a prefix of x shape [${x.shape}]`);
  }
  if (!Number.isInteger(numSegments) || numSegments < 0) {
    throw new Error(`UnsortedSegmentSum (wasm): numSegments must be a non-negative integer, got ${numSegments}`);
  }
  const inner = x.shape.slice(idsShape.length);
  const rows = segmentIds.size;
  const ids = tf.reshape(tf.cast(segmentIds, 'int32'), [rows]);
  const values = tf.reshape(x, [rows, ...inner]);
  // ScatterNd does not bound-check: out-of-range rows go to segment 0 with their values zeroed.
  const valid = tf.logicalAnd(tf.greaterEqual(ids, 0), tf.less(ids, numSegments));
  const safeIds = tf.where(valid, ids, tf.zerosLike(ids));
  const validRows = tf.reshape(valid, [rows, ...inner.map(() => 1)]);
  const safeValues = tf.where(tf.broadcastTo(validRows, values.shape), values, tf.zerosLike(values));
  return tf.scatterND(tf.reshape(safeIds, [rows, 1]), safeValues, [numSegments, ...inner]);
}

export const unsortedSegmentSumKernel = composedKernel<tf.UnsortedSegmentSumAttrs>(
  tf.UnsortedSegmentSum,
  ({ x, segmentIds }, attrs) => unsortedSegmentSum(x, segmentIds, attrs.numSegments),
);
