/** Validation of one ground-truth box against its image, shared by the COCO and VOC readers. */
import { BoxXYWH } from '../records';

/**
 * How far (pixels) a box may reach outside the image and still be accepted; it is then clipped to
 * the image. Annotation tools round outward, and VOC's 1-based inclusive corners land exactly on
 * the border after conversion, so a 1 px margin accepts honest boxes and rejects wrong ones.
 */
export const BOX_TOLERANCE_PX = 1;

export type BoxCheck = { box: BoxXYWH } | { problem: string };

function show(values: readonly unknown[]): string {
  return `[${values.map((v) => (typeof v === 'number' ? String(v) : JSON.stringify(v))).join(', ')}]`;
}

/**
 * Checks a COCO [x, y, w, h] box for an image of `width` x `height`: 4 finite numbers, positive
 * size, inside the image within BOX_TOLERANCE_PX. Returns the box clipped to the image, or the
 * problem in words (the caller names the file and record).
 */
export function checkBox(bbox: unknown, width: number, height: number): BoxCheck {
  if (!Array.isArray(bbox) || bbox.length !== 4 || !bbox.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    return { problem: `bbox must be 4 finite numbers [x, y, width, height], got ${Array.isArray(bbox) ? show(bbox) : JSON.stringify(bbox)}` };
  }
  const [x, y, w, h] = bbox as number[];
  if (w <= 0 || h <= 0) return { problem: `negative or zero-size box ${show(bbox)}` };
  const t = BOX_TOLERANCE_PX;
  if (x < -t || y < -t || x + w > width + t || y + h > height + t) {
    return { problem: `box ${show(bbox)} lies outside the ${width}x${height} image` };
  }
  const x0 = Math.max(0, x);
  const y0 = Math.max(0, y);
  const x1 = Math.min(width, x + w);
  const y1 = Math.min(height, y + h);
  if (x1 <= x0 || y1 <= y0) return { problem: `box ${show(bbox)} has zero size inside the ${width}x${height} image` };
  return { box: [x0, y0, x1 - x0, y1 - y0] };
}
