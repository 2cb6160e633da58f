/**
 * The detection task's options (`config.taskOptions`), a flat JSON object. The defaults below are
 * the documentation; `detectionOptions` merges the user's values over them and checks each.
 *
 * Sizes are for the built-in 128x128 mnist-detection scenes (digits 16–56 px): FCOS's COCO ranges
 * (P3 up to 64 px, i.e. 8 strides) are scaled down to 3 strides per level, which leaves 1% of the
 * training boxes without any positive location (2 strides: 3.6%; mostly thin 1s between P3 centres).
 * The head is narrow (32 channels, 2 convs per tower instead of FCOS's 256 and 4) so that the
 * default run fits 15 minutes on a 2-core CPU.
 */
import type { JsonObject } from '../../core/config';

export interface DetectionOptions {
  /** Strides of the pyramid levels the head runs on, each twice the previous (P3–P5 = 8, 16, 32). Levels beyond the backbone's deepest stride are FPN extra levels. */
  strides: number[];
  /** Upper bounds of the largest ltrb distance (network pixels) of levels 0..n-2; the last level takes everything above. FCOS: [64, 128, 256, 512]. */
  levelBounds: number[];
  /** Channels of the FPN and of both head towers. */
  channels: number;
  /** conv3x3 + GroupNorm + ReLU blocks per tower (FCOS: 4). */
  towerConvs: number;
  /** GroupNorm groups in the towers; must divide `channels`. */
  groupNormGroups: number;
  /** Center sampling: a location is a positive candidate only within radius x stride of the box centre (0 disables). */
  centerSampleRadius: number;
  /** Initial foreground probability of every class logit (the bias is set to log(p / (1 - p))). */
  priorProbability: number;
  /** Weights of the three loss terms. */
  clsWeight: number;
  boxWeight: number;
  centernessWeight: number;
  /** Inference: detections scoring below this (score = sqrt(cls · centerness)) are dropped. */
  scoreThreshold: number;
  /** Inference: at most this many candidates per level go on to NMS. */
  topKPerLevel: number;
  /** Inference: class-wise NMS suppresses a box whose IoU with a higher-scoring one of its class exceeds this. */
  nmsThreshold: number;
  /** Inference: detections kept per image. */
  maxDetections: number;
  /** Training: scale jitter factor range (aspect kept, crop/pad to the input size); [1, 1] disables it. */
  scaleJitter: number[];
}

export const DETECTION_DEFAULTS: Readonly<DetectionOptions> = Object.freeze({
  strides: [8, 16, 32],
  levelBounds: [24, 48],
  channels: 32,
  towerConvs: 2,
  groupNormGroups: 8,
  centerSampleRadius: 1.5,
  priorProbability: 0.01,
  clsWeight: 1,
  boxWeight: 1,
  centernessWeight: 1,
  scoreThreshold: 0.05,
  topKPerLevel: 1000,
  nmsThreshold: 0.6,
  maxDetections: 100,
  scaleJitter: [1, 1],
});

/** The defaults as the JSON object a RunConfig holds. */
export function detectionDefaults(): JsonObject {
  return JSON.parse(JSON.stringify(DETECTION_DEFAULTS)) as JsonObject;
}

type Check = (value: unknown) => boolean;

const positiveInt: Check = (v) => Number.isInteger(v) && (v as number) >= 1;
const nonNegative: Check = (v) => typeof v === 'number' && v >= 0 && Number.isFinite(v);
const unit: Check = (v) => typeof v === 'number' && v >= 0 && v <= 1;
const numbers = (each: Check): Check => (v) => Array.isArray(v) && v.every(each);

const RULES: Record<keyof DetectionOptions, { check: Check; expected: string }> = {
  strides: { check: numbers(positiveInt), expected: 'a list of positive integers' },
  levelBounds: { check: numbers((v) => typeof v === 'number' && v > 0), expected: 'a list of numbers > 0' },
  channels: { check: positiveInt, expected: 'a positive integer' },
  towerConvs: { check: (v) => Number.isInteger(v) && (v as number) >= 0, expected: 'an integer >= 0' },
  groupNormGroups: { check: positiveInt, expected: 'a positive integer' },
  centerSampleRadius: { check: nonNegative, expected: 'a number >= 0' },
  priorProbability: { check: (v) => typeof v === 'number' && v > 0 && v < 1, expected: 'a number in (0, 1)' },
  clsWeight: { check: nonNegative, expected: 'a number >= 0' },
  boxWeight: { check: nonNegative, expected: 'a number >= 0' },
  centernessWeight: { check: nonNegative, expected: 'a number >= 0' },
  scoreThreshold: { check: unit, expected: 'a number in [0, 1]' },
  topKPerLevel: { check: positiveInt, expected: 'a positive integer' },
  nmsThreshold: { check: unit, expected: 'a number in [0, 1]' },
  maxDetections: { check: positiveInt, expected: 'a positive integer' },
  scaleJitter: { check: (v) => numbers((x) => typeof x === 'number' && x > 0)(v) && (v as number[]).length === 2 && (v as number[])[0] <= (v as number[])[1], expected: '[min, max] with 0 < min <= max' },
};

/**
 * The options of `taskOptions` over the defaults.
 * @throws Error naming the option (`taskOptions.<name>`) when it is unknown or invalid.
 */
export function detectionOptions(taskOptions: JsonObject): DetectionOptions {
  const merged: Record<string, unknown> = { ...DETECTION_DEFAULTS, ...taskOptions };
  for (const [key, value] of Object.entries(merged)) {
    const rule = RULES[key as keyof DetectionOptions];
    if (!rule) throw new Error(`taskOptions.${key}: unknown detection option (known: ${Object.keys(RULES).join(', ')})`);
    if (!rule.check(value)) throw new Error(`taskOptions.${key} must be ${rule.expected}, got ${JSON.stringify(value)}`);
  }
  const options = merged as unknown as DetectionOptions;
  const { strides, levelBounds, channels, groupNormGroups } = options;
  if (strides.length === 0) throw new Error('taskOptions.strides: needs at least one level');
  if (strides.some((s, i) => i > 0 && s !== 2 * strides[i - 1])) throw new Error(`taskOptions.strides must each be twice the previous, got ${JSON.stringify(strides)}`);
  if (levelBounds.length !== strides.length - 1) {
    throw new Error(`taskOptions.levelBounds needs ${strides.length - 1} bounds for ${strides.length} levels, got ${JSON.stringify(levelBounds)}`);
  }
  if (levelBounds.some((b, i) => i > 0 && b <= levelBounds[i - 1])) throw new Error(`taskOptions.levelBounds must increase, got ${JSON.stringify(levelBounds)}`);
  if (channels % groupNormGroups !== 0) throw new Error(`taskOptions.groupNormGroups (${groupNormGroups}) must divide taskOptions.channels (${channels})`);
  return options;
}
