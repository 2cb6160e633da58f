/**
 * What the pipeline does to one decoded image: (training) geometric augmentation or (eval) a
 * plain fit to the network size, then flip and Cutout, then normalisation into float32 HWC.
 */
import type { BoxXYWH } from '../records';
import type { RawImage } from '../image/codec';
import type { Rng } from '../../random';
import { cutout, horizontalFlip, randomResizedCrop, scaleJitter, type CutoutOptions, type RandomResizedCropOptions, type ScaleJitterOptions } from './augment';
import { letterboxSample, resizeSample, startSample, type Affine, type Sample } from './geometry';

/** 'unit': x / 255. Otherwise (x / 255 - mean[c]) / std[c]. */
export type Normalization = 'unit' | { mean: [number, number, number]; std: [number, number, number] };

export const IMAGENET_NORMALIZATION: Normalization = Object.freeze({
  mean: [0.485, 0.456, 0.406] as [number, number, number],
  std: [0.229, 0.224, 0.225] as [number, number, number],
});

/** Training augmentations, applied in this order: one geometric op, flip, Cutout. */
export interface AugmentOptions {
  /** Replaces the plain fit with a torchvision-style random resized crop. */
  randomResizedCrop?: RandomResizedCropOptions;
  /** Replaces the plain fit with detection scale jitter (aspect kept, crop/pad to size). */
  scaleJitter?: ScaleJitterOptions;
  /** Probability of a horizontal flip. */
  hflip?: number;
  cutout?: CutoutOptions;
}

export interface TransformOptions {
  width: number;
  height: number;
  /** How an image reaches width x height without a geometric augmentation. */
  fit: 'stretch' | 'letterbox';
  /** Letterbox margin value (0..255). */
  padValue: number;
  /** Absent: evaluation (deterministic, cacheable). */
  augment?: AugmentOptions;
}

/** What a task's target function learns about how its record's image was transformed (read-only: eval entries are cached). */
export interface TransformInfo {
  /** Network input size. */
  width: number;
  height: number;
  /** Size of the decoded file. */
  originalWidth: number;
  originalHeight: number;
  /** Original pixels → network input pixels (invert it to map predictions back). */
  affine: Affine;
  /** Surviving boxes in network input pixels. */
  boxes: BoxXYWH[];
  /** For each surviving box, its position in the record's box list (to select labels, ignore flags). */
  boxIndex: number[];
}

export function assertTransformOptions(options: TransformOptions): void {
  const { width, height, augment } = options;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`input size must be positive integers, got ${width}x${height}`);
  }
  if (augment?.randomResizedCrop && augment.scaleJitter) {
    throw new Error('augment: randomResizedCrop and scaleJitter are alternatives; set only one');
  }
}

/**
 * Decoded image → network-size Sample. `rng` is required exactly when augmenting.
 * @returns sample with image [height, width, C]
 */
export function transformImage(image: RawImage, boxes: readonly BoxXYWH[], rng: Rng | undefined, options: TransformOptions): Sample {
  const { width, height, augment } = options;
  let sample = startSample(image, boxes);
  if (augment && !rng) throw new Error('transformImage: augmentation needs a generator');
  if (augment?.randomResizedCrop) sample = randomResizedCrop(sample, rng!, width, height, augment.randomResizedCrop);
  else if (augment?.scaleJitter) sample = scaleJitter(sample, rng!, width, height, augment.scaleJitter);
  else if (options.fit === 'letterbox') sample = letterboxSample(sample, width, height, options.padValue);
  else sample = resizeSample(sample, width, height);
  if (augment?.hflip !== undefined) sample = horizontalFlip(sample, rng!, augment.hflip);
  if (augment?.cutout) sample = cutout(sample, rng!, augment.cutout);
  return sample;
}

export function transformInfo(original: { width: number; height: number }, sample: Sample): TransformInfo {
  return {
    width: sample.image.width,
    height: sample.image.height,
    originalWidth: original.width,
    originalHeight: original.height,
    affine: sample.affine,
    boxes: sample.tracked.boxes,
    boxIndex: sample.tracked.index,
  };
}

/**
 * Writes the image as normalised float32 HWC with 3 channels (gray is replicated) at `offset`.
 * @param out holds at least offset + H*W*3 values
 */
export function normalizeInto(image: RawImage, out: Float32Array, offset: number, normalization: Normalization): void {
  const { width, height, channels, data } = image;
  const n = width * height;
  if (offset + n * 3 > out.length) throw new Error(`normalizeInto: ${width}x${height}x3 at ${offset} overruns ${out.length} values`);
  // Per channel, value = byte * a + b; channels unrolled because this runs on every pixel of every batch.
  const [a0, a1, a2] = [0, 1, 2].map((c) => (normalization === 'unit' ? 1 / 255 : 1 / (255 * normalization.std[c])));
  const [b0, b1, b2] = [0, 1, 2].map((c) => (normalization === 'unit' ? 0 : -normalization.mean[c] / normalization.std[c]));
  for (let p = 0, s = 0, o = offset; p < n; p++, s += channels, o += 3) {
    const r = data[s];
    const g = channels === 1 ? r : data[s + 1];
    const b = channels === 1 ? r : data[s + 2];
    out[o] = r * a0 + b0;
    out[o + 1] = g * a1 + b1;
    out[o + 2] = b * a2 + b2;
  }
}
