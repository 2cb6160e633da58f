/**
 * FCOS box coding: a box relative to a location is its four distances (left, top, right, bottom)
 * from the location to the box sides, divided by the level's stride (FCOS's normalised regression
 * targets). The network predicts log-distances; `decodeBox` applies the exp.
 */

/** Largest log-distance the decoder (and the loss) accept: exp(8) ≈ 3000 strides, far beyond any image. */
export const MAX_LOG_DISTANCE = 8;

/**
 * Box corners [x1, y1, x2, y2] → ltrb / stride relative to location (x, y), written into out[at..at+3].
 * Distances are negative for sides the location is outside of.
 */
export function encodeBox(x1: number, y1: number, x2: number, y2: number, x: number, y: number, stride: number, out: Float32Array, at: number): void {
  out[at] = (x - x1) / stride;
  out[at + 1] = (y - y1) / stride;
  out[at + 2] = (x2 - x) / stride;
  out[at + 3] = (y2 - y) / stride;
}

/**
 * Predicted log-distances (stride units) at location (x, y) → corners [x1, y1, x2, y2] in network
 * pixels, written into out[at..at+3].
 */
export function decodeBox(logLtrb: ArrayLike<number>, from: number, x: number, y: number, stride: number, out: Float32Array, at: number): void {
  const d = (k: number) => Math.exp(Math.min(logLtrb[from + k], MAX_LOG_DISTANCE)) * stride;
  out[at] = x - d(0);
  out[at + 1] = y - d(1);
  out[at + 2] = x + d(2);
  out[at + 3] = y + d(3);
}

/** FCOS centerness of ltrb distances (any common unit): sqrt(min(l, r) / max(l, r) · min(t, b) / max(t, b)). */
export function centerness(l: number, t: number, r: number, b: number): number {
  return Math.sqrt((Math.min(l, r) / Math.max(l, r)) * (Math.min(t, b) / Math.max(t, b)));
}
