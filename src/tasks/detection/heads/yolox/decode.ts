/**
 * YOLOX box and score decoding on host arrays. A row's 4 box values (dx, dy, log w, log h) are in
 * stride units around its location (x, y), the cell centre of the LocationGrid (YOLOX's grid points
 * are cell corners; the offset is learnt either way):
 *   centre = (x + dx·stride, y + dy·stride),  size = (exp(log w)·stride, exp(log h)·stride).
 * Score of class c = σ(objectness) · σ(class c), as YOLOX's inference.
 */
import type { LocationGrid } from '../../locations';
import { MAX_LOG_DISTANCE } from '../../box-coding';
import { YOLOX_EXTRA_COLUMNS } from './head';
import { sigmoid, type RowDecoder } from '../../postprocess';

/**
 * Box values at rows[at..at+3] of the location (x, y) with `stride` → corners [x1, y1, x2, y2] in
 * network pixels, written into out[outAt..outAt+3]. Log sizes are capped at MAX_LOG_DISTANCE.
 */
export function yoloxCorners(rows: ArrayLike<number>, at: number, x: number, y: number, stride: number, out: Float32Array, outAt: number): void {
  const cx = x + rows[at] * stride;
  const cy = y + rows[at + 1] * stride;
  const halfW = (Math.exp(Math.min(rows[at + 2], MAX_LOG_DISTANCE)) * stride) / 2;
  const halfH = (Math.exp(Math.min(rows[at + 3], MAX_LOG_DISTANCE)) * stride) / 2;
  out[outAt] = cx - halfW;
  out[outAt + 1] = cy - halfH;
  out[outAt + 2] = cx + halfW;
  out[outAt + 3] = cy + halfH;
}

/** The YOLOX head's decoding for the shared postprocess (threshold, class-wise NMS). */
export const YOLOX_DECODER: RowDecoder = {
  scores(rows, row, numClasses, scores) {
    const obj = sigmoid(rows[row + numClasses + 4]);
    for (let c = 0; c < numClasses; c++) scores[c] = obj * sigmoid(rows[row + c]);
  },
  corners(rows, row, numClasses, grid, k, out) {
    yoloxCorners(rows, row + numClasses, grid.x[k], grid.y[k], grid.stride[k], out, 0);
  },
};

/** One image's predictions as the assigners read them. */
export interface DecodedPredictions {
  /** [L * 4] predicted boxes, corners in network pixels. */
  boxes: Float32Array;
  /** [L * C] σ(class logit) · σ(objectness logit). */
  probabilities: Float32Array;
}

/**
 * @param rows the model output [B, L, C + 5] flattened; this image's rows start at `offset`
 */
export function decodePredictions(rows: ArrayLike<number>, offset: number, grid: LocationGrid, numClasses: number): DecodedPredictions {
  const columns = numClasses + YOLOX_EXTRA_COLUMNS;
  if (rows.length < offset + grid.count * columns) throw new Error(`decodePredictions: output has ${rows.length} values, expected at least ${offset + grid.count * columns}`);
  const boxes = new Float32Array(grid.count * 4);
  const probabilities = new Float32Array(grid.count * numClasses);
  const scores = new Float64Array(numClasses);
  for (let k = 0; k < grid.count; k++) {
    const row = offset + k * columns;
    YOLOX_DECODER.scores(rows, row, numClasses, scores);
    probabilities.set(scores, k * numClasses);
    YOLOX_DECODER.corners(rows, row, numClasses, grid, k, boxes.subarray(4 * k, 4 * k + 4));
  }
  return { boxes, probabilities };
}
