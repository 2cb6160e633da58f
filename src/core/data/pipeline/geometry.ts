/**
 * Box bookkeeping for the pipeline: an axis-aligned affine map from original-image pixels to the
 * current image, and boxes that follow it. Coordinates are continuous with pixel edges on the
 * integers (a pixel i spans [i, i+1)), so resizing w → W maps u to u * W / w exactly.
 */
import type { BoxXYWH } from '../records';

/** x' = sx * x + tx, y' = sy * y + ty. A negative sx is a horizontal flip. */
export interface Affine {
  sx: number;
  sy: number;
  tx: number;
  ty: number;
}

export const IDENTITY: Affine = Object.freeze({ sx: 1, sy: 1, tx: 0, ty: 0 });

/** The map that applies `first`, then `second`. */
export function composeAffine(first: Affine, second: Affine): Affine {
  return {
    sx: second.sx * first.sx,
    sy: second.sy * first.sy,
    tx: second.sx * first.tx + second.tx,
    ty: second.sy * first.ty + second.ty,
  };
}

/** The inverse map, e.g. from network-input pixels back to the original image. */
export function invertAffine(a: Affine): Affine {
  if (a.sx === 0 || a.sy === 0) throw new Error(`invertAffine: singular map ${JSON.stringify(a)}`);
  return { sx: 1 / a.sx, sy: 1 / a.sy, tx: -a.tx / a.sx, ty: -a.ty / a.sy };
}

/** Maps a box; with a negative scale the corners swap so width and height stay positive. */
export function mapBox(box: BoxXYWH, a: Affine): BoxXYWH {
  const xa = a.sx * box[0] + a.tx;
  const xb = a.sx * (box[0] + box[2]) + a.tx;
  const ya = a.sy * box[1] + a.ty;
  const yb = a.sy * (box[1] + box[3]) + a.ty;
  return [Math.min(xa, xb), Math.min(ya, yb), Math.abs(xb - xa), Math.abs(yb - ya)];
}

/**
 * Boxes together with `index`: the position of each box in the record's box list, so a task can
 * pick the matching labels and ignore flags after boxes were dropped.
 */
export interface TrackedBoxes {
  boxes: BoxXYWH[];
  index: number[];
}

/** Maps every box through `a` without clipping or dropping (resize, flip). */
export function mapTracked(tracked: TrackedBoxes, a: Affine): TrackedBoxes {
  return { boxes: tracked.boxes.map((b) => mapBox(b, a)), index: tracked.index.slice() };
}

/**
 * Clips boxes to [0, width] x [0, height] and drops those whose clipped width or height is
 * below `minSide` pixels (which includes boxes now entirely outside).
 */
export function clipTracked(tracked: TrackedBoxes, width: number, height: number, minSide: number): TrackedBoxes {
  const out: TrackedBoxes = { boxes: [], index: [] };
  tracked.boxes.forEach((b, i) => {
    const x0 = Math.max(0, b[0]);
    const y0 = Math.max(0, b[1]);
    const x1 = Math.min(width, b[0] + b[2]);
    const y1 = Math.min(height, b[1] + b[3]);
    const w = x1 - x0;
    const h = y1 - y0;
    if (w > 0 && h > 0 && w >= minSide && h >= minSide) {
      out.boxes.push([x0, y0, w, h]);
      out.index.push(tracked.index[i]);
    }
  });
  return out;
}
