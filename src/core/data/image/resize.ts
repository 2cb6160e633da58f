/**
 * Geometry on RawImage (interleaved HWC uint8, 1 or 3 channels): bilinear resize, crop with
 * optional padding, and letterbox. Plain typed-array loops; no tensors.
 */
import type { RawImage } from './codec';

function assertImage(img: RawImage, op: string): void {
  if (img.width < 1 || img.height < 1 || img.data.length !== img.width * img.height * img.channels) {
    throw new Error(`${op}: bad image ${img.width}x${img.height}x${img.channels} with ${img.data.length} bytes`);
  }
}

function assertSize(width: number, height: number, op: string): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`${op}: output size must be positive integers, got ${width}x${height}`);
  }
}

/**
 * Per output coordinate: the two source indices and the weight of the second, for half-pixel
 * centres (src = (dst + 0.5) * in/out - 0.5, clamped below at 0 as torch does).
 */
function sampleTable(inSize: number, outSize: number): { lo: Int32Array; hi: Int32Array; frac: Float64Array } {
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const frac = new Float64Array(outSize);
  const scale = inSize / outSize;
  for (let d = 0; d < outSize; d++) {
    const src = Math.max(0, (d + 0.5) * scale - 0.5);
    const i0 = Math.min(Math.floor(src), inSize - 1);
    lo[d] = i0;
    hi[d] = Math.min(i0 + 1, inSize - 1);
    frac[d] = src - i0;
  }
  return { lo, hi, frac };
}

/**
 * Bilinear resize with align_corners=false semantics, matching torch
 * `F.interpolate(mode='bilinear', align_corners=False, antialias=False)` up to rounding to uint8
 * (round half up). No antialiasing: strong downscales alias, as in torch/cv2 INTER_LINEAR.
 * An unchanged size returns an exact copy (never the input, since later ops draw in place).
 * @param img [H, W, C]
 * @returns [height, width, C]
 */
export function resizeBilinear(img: RawImage, width: number, height: number): RawImage {
  assertImage(img, 'resizeBilinear');
  assertSize(width, height, 'resizeBilinear');
  if (width === img.width && height === img.height) return { ...img, data: img.data.slice() };
  const C = img.channels;
  const src = img.data;
  const out = new Uint8Array(width * height * C);
  const xs = sampleTable(img.width, width);
  const ys = sampleTable(img.height, height);
  // Flattened over (x, c) so the hot loop has no inner channel loop: byte offsets within a row.
  const rowLen = width * C;
  const left = new Int32Array(rowLen);
  const right = new Int32Array(rowLen);
  const fx = new Float64Array(rowLen);
  for (let x = 0, e = 0; x < width; x++) {
    for (let c = 0; c < C; c++, e++) {
      left[e] = xs.lo[x] * C + c;
      right[e] = xs.hi[x] * C + c;
      fx[e] = xs.frac[x];
    }
  }
  const rowStride = img.width * C;
  for (let y = 0, o = 0; y < height; y++) {
    const r0 = ys.lo[y] * rowStride;
    const r1 = ys.hi[y] * rowStride;
    const fy = ys.frac[y];
    for (let e = 0; e < rowLen; e++, o++) {
      const a = src[r0 + left[e]];
      const b = src[r1 + left[e]];
      const top = a + (src[r0 + right[e]] - a) * fx[e];
      const bottom = b + (src[r1 + right[e]] - b) * fx[e];
      out[o] = Math.floor(top + (bottom - top) * fy + 0.5);
    }
  }
  return { width, height, channels: C, data: out };
}

/** An integer pixel rectangle; x, y may be negative and the rectangle may pass the image edge. */
export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Copies `region` out of the image. Parts outside the image are filled with `fill` (one value
 * per channel, or one for all); without `fill` the region must lie inside the image.
 * @returns [region.height, region.width, C]
 */
export function crop(img: RawImage, region: Region, fill?: number | readonly number[]): RawImage {
  assertImage(img, 'crop');
  const { x, y, width, height } = region;
  assertSize(width, height, 'crop');
  if (!Number.isInteger(x) || !Number.isInteger(y)) throw new Error(`crop: region origin must be integers, got (${x}, ${y})`);
  const inside = x >= 0 && y >= 0 && x + width <= img.width && y + height <= img.height;
  if (!inside && fill === undefined) {
    throw new Error(`crop: region ${width}x${height}+${x}+${y} leaves the ${img.width}x${img.height} image and no fill was given`);
  }
  const C = img.channels;
  const out = new Uint8Array(width * height * C);
  if (!inside) fillRect(out, width, C, 0, 0, width, height, fill as number | readonly number[]);
  // The part of the region that overlaps the image, in image coordinates.
  const x0 = Math.max(x, 0);
  const y0 = Math.max(y, 0);
  const x1 = Math.min(x + width, img.width);
  const y1 = Math.min(y + height, img.height);
  if (x1 <= x0 || y1 <= y0) return { width, height, channels: C, data: out };
  const rowBytes = (x1 - x0) * C;
  for (let sy = y0; sy < y1; sy++) {
    const from = (sy * img.width + x0) * C;
    out.set(img.data.subarray(from, from + rowBytes), ((sy - y) * width + (x0 - x)) * C);
  }
  return { width, height, channels: C, data: out };
}

/** Fills a clipped rectangle of an interleaved buffer whose rows are `stride` pixels wide. */
export function fillRect(
  data: Uint8Array,
  stride: number,
  channels: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  fill: number | readonly number[],
): void {
  const values = typeof fill === 'number' ? new Array<number>(channels).fill(fill) : fill;
  if (values.length !== channels) throw new Error(`fillRect: fill has ${values.length} values for ${channels} channels`);
  const rows = data.length / (stride * channels);
  const xa = Math.max(0, x0);
  const xb = Math.min(stride, x1);
  for (let y = Math.max(0, y0); y < Math.min(rows, y1); y++) {
    for (let x = xa; x < xb; x++) {
      const o = (y * stride + x) * channels;
      for (let c = 0; c < channels; c++) data[o + c] = values[c];
    }
  }
}

/** Where a letterboxed image sits: original pixel coordinate x maps to x * scaleX + offsetX. */
export interface Letterbox {
  image: RawImage;
  /** Exact per-axis factors (resizedWidth / width, resizedHeight / height); both ≈ min(W/w, H/h). */
  scaleX: number;
  scaleY: number;
  offsetX: number;
  offsetY: number;
}

/**
 * Resizes keeping the aspect ratio so the image fits `width` x `height`, centred, the margins
 * filled with `padValue`.
 * @returns image [height, width, C]
 */
export function letterbox(img: RawImage, width: number, height: number, padValue: number | readonly number[] = 114): Letterbox {
  assertImage(img, 'letterbox');
  assertSize(width, height, 'letterbox');
  const scale = Math.min(width / img.width, height / img.height);
  const innerW = Math.max(1, Math.min(width, Math.round(img.width * scale)));
  const innerH = Math.max(1, Math.min(height, Math.round(img.height * scale)));
  const offsetX = Math.floor((width - innerW) / 2);
  const offsetY = Math.floor((height - innerH) / 2);
  const resized = resizeBilinear(img, innerW, innerH);
  const image = crop(resized, { x: -offsetX, y: -offsetY, width, height }, padValue);
  return { image, scaleX: innerW / img.width, scaleY: innerH / img.height, offsetX, offsetY };
}
