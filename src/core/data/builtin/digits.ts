/**
 * MNIST digits as sprites, their random layout on a canvas, and painting them in a colour: each
 * digit is cut to its ink, scaled (aspect kept) so that its longer side is a random size, and
 * placed where it overlaps the digits already placed only a little. A sprite's alpha below
 * INK_THRESHOLD is cleared, so a digit's box (the tight bounds of its ink) holds every pixel the
 * digit touches.
 */
import { BoxXYWH } from '../records';
import type { Colour } from './backgrounds';
import { MNIST_SIDE, MnistSplit } from './idx';
import { Rng } from './prng';

/** Alpha (0..255) below which a resized digit pixel is not ink (cleared). */
export const INK_THRESHOLD = 64;

/** A digit's alpha mask, [height, width] row-major, cropped to its ink. */
export interface Sprite {
  width: number;
  height: number;
  alpha: Uint8Array;
}

/** A digit placed on the canvas: its sprite's top-left corner is (box[0], box[1]). */
export interface PlacedDigit {
  sprite: Sprite;
  box: BoxXYWH;
  digit: number;
  mnistIndex: number;
}

/** Inclusive bounds [x0, y0, x1, y1] of the pixels >= threshold of a [height, width] image, or null. */
export function inkBounds(gray: Uint8Array, width: number, height: number, threshold: number): [number, number, number, number] | null {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (gray[y * width + x] < threshold) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? null : [x0, y0, x1, y1];
}

/** Bilinear resize with half-pixel centres of a [h, w] gray image to [outH, outW]. */
export function resizeGray(src: Uint8Array, w: number, h: number, outW: number, outH: number): Uint8Array {
  const out = new Uint8Array(outW * outH);
  for (let oy = 0; oy < outH; oy++) {
    const sy = Math.min(Math.max((oy + 0.5) * (h / outH) - 0.5, 0), h - 1);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, h - 1);
    const fy = sy - y0;
    for (let ox = 0; ox < outW; ox++) {
      const sx = Math.min(Math.max((ox + 0.5) * (w / outW) - 0.5, 0), w - 1);
      const x0 = Math.floor(sx);
      const x1 = Math.min(x0 + 1, w - 1);
      const fx = sx - x0;
      const top = src[y0 * w + x0] * (1 - fx) + src[y0 * w + x1] * fx;
      const bottom = src[y1 * w + x0] * (1 - fx) + src[y1 * w + x1] * fx;
      out[oy * outW + ox] = Math.round(top * (1 - fy) + bottom * fy);
    }
  }
  return out;
}

/** Copies the [y0..y1] x [x0..x1] window of a [h, w] image. */
function crop(src: Uint8Array, w: number, [x0, y0, x1, y1]: [number, number, number, number]): Sprite {
  const width = x1 - x0 + 1;
  const height = y1 - y0 + 1;
  const alpha = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) alpha.set(src.subarray((y0 + y) * w + x0, (y0 + y) * w + x0 + width), y * width);
  return { width, height, alpha };
}

/** MNIST digit `index` cut to its ink, scaled so its longer side is `size` px, faint pixels cleared. */
export function digitSprite(mnist: MnistSplit, index: number, size: number): Sprite {
  const pixels = mnist.images.subarray(index * MNIST_SIDE * MNIST_SIDE, (index + 1) * MNIST_SIDE * MNIST_SIDE);
  const ink = inkBounds(pixels, MNIST_SIDE, MNIST_SIDE, 1);
  if (!ink) throw new Error(`MNIST image ${index} is blank`);
  const cut = crop(pixels, MNIST_SIDE, ink);
  const scale = size / Math.max(cut.width, cut.height);
  const width = Math.max(1, Math.round(cut.width * scale));
  const height = Math.max(1, Math.round(cut.height * scale));
  const resized = resizeGray(cut.alpha, cut.width, cut.height, width, height);
  for (let p = 0; p < resized.length; p++) if (resized[p] < INK_THRESHOLD) resized[p] = 0;
  const bounds = inkBounds(resized, width, height, INK_THRESHOLD);
  if (!bounds) throw new Error(`MNIST image ${index} has no ink at size ${size}`);
  return crop(resized, width, bounds);
}

function intersection(a: BoxXYWH, b: BoxXYWH): number {
  const w = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  return w > 0 && h > 0 ? w * h : 0;
}

export interface LayoutSpec {
  canvas: number;
  minDigits: number;
  maxDigits: number;
  minSize: number;
  maxSize: number;
  /** Largest intersection allowed between two digit boxes, as a fraction of the smaller box. */
  maxOverlap: number;
}

/** Random positions tried per digit; a digit that finds no room is left out (the first always fits). */
const PLACEMENT_TRIES = 50;

/** Chooses the MNIST image of the next digit; by default any image, uniformly. */
export type PickDigit = (rng: Rng) => number;

/**
 * Draws minDigits..maxDigits digits of `mnist` chosen by `pick` (fewer when some find no room)
 * with random sizes and positions on a canvas x canvas image.
 */
export function layoutDigits(rng: Rng, mnist: MnistSplit, spec: LayoutSpec, pick: PickDigit = (r) => r.int(0, mnist.count - 1)): PlacedDigit[] {
  const placed: PlacedDigit[] = [];
  const count = rng.int(spec.minDigits, spec.maxDigits);
  for (let k = 0; k < count; k++) {
    const mnistIndex = pick(rng);
    const sprite = digitSprite(mnist, mnistIndex, rng.int(spec.minSize, spec.maxSize));
    for (let attempt = 0; attempt < PLACEMENT_TRIES; attempt++) {
      const box: BoxXYWH = [rng.int(0, spec.canvas - sprite.width), rng.int(0, spec.canvas - sprite.height), sprite.width, sprite.height];
      const area = box[2] * box[3];
      const fits = placed.every((p) => intersection(box, p.box) <= spec.maxOverlap * Math.min(area, p.box[2] * p.box[3]));
      if (fits) {
        placed.push({ sprite, box, digit: mnist.labels[mnistIndex], mnistIndex });
        break;
      }
    }
  }
  return placed;
}

/** Paints `digit` in `colour` over the size x size interleaved RGB `rgb`, blending by the sprite's alpha. */
export function paintDigit(rgb: Uint8Array, size: number, { sprite, box }: PlacedDigit, colour: Colour): void {
  for (let y = 0; y < sprite.height; y++) {
    for (let x = 0; x < sprite.width; x++) {
      const a = sprite.alpha[y * sprite.width + x] / 255;
      if (a === 0) continue;
      const p = ((box[1] + y) * size + box[0] + x) * 3;
      for (let c = 0; c < 3; c++) rgb[p + c] = Math.round(rgb[p + c] + (colour[c] - rgb[p + c]) * a);
    }
  }
}
