/**
 * Training augmentations on a Sample (image + boxes + affine). Every op takes the generator
 * explicitly and draws only from it, so an item with its own seeded generator always gets the
 * same result, whatever else runs. Boxes move with the image; boxes cropped to less than `minBoxSide` output pixels are
 * dropped (their record positions vanish from `tracked.index`, so labels and ignore flags follow).
 */
import type { RawImage } from '../image/codec';
import { crop, fillRect, resizeBilinear, type Region } from '../image/resize';
import type { Rng } from '../../random';
import { advance, composeAffine, cropSample, DEFAULT_MIN_BOX_SIDE, resizeSample, type Sample } from './geometry';

function assertRange(range: readonly [number, number], name: string, min: number): void {
  if (!(range[0] >= min && range[1] >= range[0] && Number.isFinite(range[1]))) {
    throw new Error(`${name} must be [low, high] with ${min} <= low <= high, got ${JSON.stringify(range)}`);
  }
}

function assertProbability(p: number, name: string): void {
  if (!(p >= 0 && p <= 1)) throw new Error(`${name} must be a probability in [0, 1], got ${p}`);
}

/** Mirrors left-right with probability `p` (one draw, always made). */
export function horizontalFlip(sample: Sample, rng: Rng, p = 0.5): Sample {
  assertProbability(p, 'horizontalFlip p');
  if (rng.next() >= p) return sample;
  const { width, height, channels, data } = sample.image;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    const row = y * width * channels;
    for (let x = 0; x < width; x++) {
      const from = row + x * channels;
      const to = row + (width - 1 - x) * channels;
      for (let c = 0; c < channels; c++) out[to + c] = data[from + c];
    }
  }
  return advance(sample, { width, height, channels, data: out }, { sx: -1, sy: 1, tx: width, ty: 0 });
}

export interface RandomResizedCropOptions {
  /** Range of the crop's area as a fraction of the image's (torchvision default [0.08, 1]). */
  scale: [number, number];
  /** Range of the crop's width / height (torchvision default [3/4, 4/3]), sampled log-uniformly. */
  ratio: [number, number];
  minBoxSide?: number;
}

/**
 * The crop rectangle of torchvision's RandomResizedCrop.get_params: up to 10 tries of a random
 * area and log-uniform aspect ratio; failing that, the centre crop with the ratio clamped.
 */
export function sampleResizedCropRegion(width: number, height: number, rng: Rng, options: RandomResizedCropOptions): Region {
  assertRange(options.scale, 'randomResizedCrop scale', 0);
  assertRange(options.ratio, 'randomResizedCrop ratio', Number.MIN_VALUE);
  const area = width * height;
  const logLo = Math.log(options.ratio[0]);
  const logHi = Math.log(options.ratio[1]);
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * rng.uniform(options.scale[0], options.scale[1]);
    const aspect = Math.exp(rng.uniform(logLo, logHi));
    const w = Math.round(Math.sqrt(target * aspect));
    const h = Math.round(Math.sqrt(target / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      return { x: rng.int(width - w + 1), y: rng.int(height - h + 1), width: w, height: h };
    }
  }
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < options.ratio[0]) h = Math.round(w / options.ratio[0]);
  else if (inRatio > options.ratio[1]) w = Math.round(h * options.ratio[1]);
  return { x: Math.floor((width - w) / 2), y: Math.floor((height - h) / 2), width: w, height: h };
}

/** torchvision RandomResizedCrop: a random crop (see above) stretched to outWidth x outHeight. */
export function randomResizedCrop(sample: Sample, rng: Rng, outWidth: number, outHeight: number, options: RandomResizedCropOptions): Sample {
  const region = sampleResizedCropRegion(sample.image.width, sample.image.height, rng, options);
  const resized = resizeBilinear(crop(sample.image, region), outWidth, outHeight);
  const step = composeAffine(
    { sx: 1, sy: 1, tx: -region.x, ty: -region.y },
    { sx: outWidth / region.width, sy: outHeight / region.height, tx: 0, ty: 0 },
  );
  return advance(sample, resized, step, options.minBoxSide ?? DEFAULT_MIN_BOX_SIDE);
}

export interface CutoutOptions {
  /** Number of holes. */
  holes: number;
  /** Hole side as a fraction of the image side (per axis, as the ASL repository's CutoutPIL). */
  size: number;
  /** One value for all channels, one per channel, or 'random': a random colour per hole. */
  fill: number | number[] | 'random';
}

/**
 * Cutout (DeVries & Taylor 2017): `holes` rectangles of round(size * W) x round(size * H),
 * centred on uniform random pixels and clipped at the borders, filled. Boxes are unchanged.
 */
export function cutout(sample: Sample, rng: Rng, options: CutoutOptions): Sample {
  const { holes, size, fill } = options;
  if (!Number.isInteger(holes) || holes < 0) throw new Error(`cutout holes must be a non-negative integer, got ${holes}`);
  if (!(size > 0 && size <= 1)) throw new Error(`cutout size must be a fraction in (0, 1], got ${size}`);
  const { width, height, channels } = sample.image;
  const data = sample.image.data.slice();
  const holeW = Math.max(1, Math.round(size * width));
  const holeH = Math.max(1, Math.round(size * height));
  for (let k = 0; k < holes; k++) {
    const cx = rng.int(width);
    const cy = rng.int(height);
    const colour = fill === 'random' ? Array.from({ length: channels }, () => rng.int(256)) : fill;
    const x0 = cx - Math.floor(holeW / 2);
    const y0 = cy - Math.floor(holeH / 2);
    fillRect(data, width, channels, x0, y0, x0 + holeW, y0 + holeH, colour);
  }
  const image: RawImage = { width, height, channels, data };
  return { ...sample, image };
}

export interface ScaleJitterOptions {
  /** Range of the random factor applied on top of the fit-inside scale (e.g. [0.5, 1.5]). */
  scale: [number, number];
  /** Value of the pixels that fall outside the resized image. */
  fill: number | number[];
  minBoxSide?: number;
}

/**
 * Scale jitter for detection: resize keeping the aspect ratio by (fit-inside scale) x (uniform
 * factor from `scale`), then place it on an outWidth x outHeight canvas at a random integer
 * offset: a random crop where it is larger than the canvas, a random position on the padding
 * where smaller.
 */
export function scaleJitter(sample: Sample, rng: Rng, outWidth: number, outHeight: number, options: ScaleJitterOptions): Sample {
  assertRange(options.scale, 'scaleJitter scale', Number.MIN_VALUE);
  const { width, height } = sample.image;
  const factor = Math.min(outWidth / width, outHeight / height) * rng.uniform(options.scale[0], options.scale[1]);
  const resized = resizeSample(sample, Math.max(1, Math.round(width * factor)), Math.max(1, Math.round(height * factor)));
  const slackX = outWidth - resized.image.width;
  const slackY = outHeight - resized.image.height;
  // Offset of the resized image on the canvas, uniform between 0 and the slack (either sign).
  const offsetX = Math.min(0, slackX) + rng.int(Math.abs(slackX) + 1);
  const offsetY = Math.min(0, slackY) + rng.int(Math.abs(slackY) + 1);
  const region = { x: -offsetX, y: -offsetY, width: outWidth, height: outHeight };
  return cropSample(resized, region, options.fill, options.minBoxSide ?? DEFAULT_MIN_BOX_SIDE);
}
