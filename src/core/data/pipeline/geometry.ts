/**
 * Geometry bookkeeping for the pipeline. A Sample is an image on its way through the pipeline
 * with its boxes and the axis-aligned affine map from the original file's pixels to the current
 * ones. Coordinates are continuous with pixel edges on the integers (pixel i spans [i, i+1)), so
 * resizing w → W maps u to u * W / w exactly. Deterministic steps (stretch, letterbox, crop/pad)
 * live here; random ones in augment.ts build on them.
 */
import type { BoxXYWH } from '../records';
import type { RawImage } from '../image/codec';
import { crop, letterbox, resizeBilinear, type Region } from '../image/resize';

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

export interface Sample {
  image: RawImage;
  /** Boxes in the current image's pixels ([x, y, w, h]); empty for tasks without boxes. */
  tracked: TrackedBoxes;
  /** Original image pixels → current image pixels. */
  affine: Affine;
}

/** Boxes narrower or shorter than this many output pixels after a crop are dropped. */
export const DEFAULT_MIN_BOX_SIDE = 1;

export function startSample(image: RawImage, boxes: readonly BoxXYWH[] = []): Sample {
  boxes.forEach((b, i) => {
    if (b.length !== 4 || b.some((v) => !Number.isFinite(v)) || b[2] < 0 || b[3] < 0) {
      throw new Error(`startSample: box ${i} ${JSON.stringify(b)} is not a finite [x, y, w, h] with w, h >= 0`);
    }
  });
  return {
    image,
    tracked: { boxes: boxes.map((b) => [b[0], b[1], b[2], b[3]] as BoxXYWH), index: boxes.map((_, i) => i) },
    affine: IDENTITY,
  };
}

/**
 * Replaces the image by `image`, which is the old one seen through `step`. With `minBoxSide`
 * set, boxes are clipped to the new image and the too small ones dropped.
 */
export function advance(sample: Sample, image: RawImage, step: Affine, minBoxSide?: number): Sample {
  const moved = mapTracked(sample.tracked, step);
  const tracked = minBoxSide === undefined ? moved : clipTracked(moved, image.width, image.height, minBoxSide);
  return { image, tracked, affine: composeAffine(sample.affine, step) };
}

/** Stretches to width x height (aspect not kept). Boxes scale; none are dropped. */
export function resizeSample(sample: Sample, width: number, height: number): Sample {
  const { image } = sample;
  const step = { sx: width / image.width, sy: height / image.height, tx: 0, ty: 0 };
  return advance(sample, resizeBilinear(image, width, height), step);
}

/** Fits inside width x height keeping the aspect ratio, centred on `padValue`. */
export function letterboxSample(sample: Sample, width: number, height: number, padValue: number | readonly number[]): Sample {
  const boxed = letterbox(sample.image, width, height, padValue);
  const step = { sx: boxed.scaleX, sy: boxed.scaleY, tx: boxed.offsetX, ty: boxed.offsetY };
  return advance(sample, boxed.image, step);
}

/**
 * Cuts `region` out (parts outside the image filled with `fill`), clipping boxes and dropping
 * those left smaller than `minBoxSide` pixels.
 */
export function cropSample(sample: Sample, region: Region, fill: number | readonly number[], minBoxSide = DEFAULT_MIN_BOX_SIDE): Sample {
  const step = { sx: 1, sy: 1, tx: -region.x, ty: -region.y };
  return advance(sample, crop(sample.image, region, fill), step, minBoxSide);
}
