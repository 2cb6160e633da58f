/**
 * The detection task's options (`config.taskOptions`), a flat JSON object: the schema documents
 * and checks each one (and is the task's `optionsSchema`), the defaults follow, and
 * `detectionOptions` merges the user's values over the defaults of their head.
 *
 * Sizes are for the built-in 128x128 mnist-detection scenes (digits 16–56 px): FCOS's COCO ranges
 * (P3 up to 64 px, i.e. 8 strides) are scaled down to 3 strides per level, which leaves 1% of the
 * training boxes without any positive location (2 strides: 3.6%; mostly thin 1s between P3 centres).
 * The head is narrow (32 channels, 2 convs per tower instead of FCOS's 256 and 4) so that the
 * default run fits 15 minutes on a 2-core CPU.
 */
import type { JsonObject } from '../../core/config';
import { integerIn, nonEmptyText, numberIn, oneOf, openObject, parseOrThrow, z } from '../../core/schema';

export const HEAD_NAMES = ['fcos', 'yolox'] as const;
export type HeadName = (typeof HEAD_NAMES)[number];

const positiveInt = () => integerIn({ min: 1 });
const nonNegative = () => numberIn({ min: 0 });
const unit = () => numberIn({ min: 0, max: 1 });
const list = <T extends z.ZodType>(each: T, what: string) => z.array(each, { error: what });

/** Every detection option, its range and meaning; the relations between options are checked after. */
export const detectionOptionsSchema = z
  .strictObject({
    head: oneOf(HEAD_NAMES).describe('The detection head: `fcos` (shared towers, centerness, static assignment) or `yolox` (decoupled per-level heads, objectness, assignment from the predictions)'),
    strides: list(positiveInt(), 'a list of positive integers')
      .min(1, { error: 'a list of at least one stride' })
      .describe("Strides of the pyramid levels the head runs on, each twice the previous (P3–P5 = 8, 16, 32). Levels beyond the backbone's deepest stride are FPN extra levels"),
    levelBounds: list(numberIn({ min: 0, minOpen: true }), 'a list of numbers > 0')
      .describe('Upper bounds of the largest ltrb distance (network pixels) of levels 0..n-2; the last level takes everything above. FCOS: [64, 128, 256, 512]'),
    channels: positiveInt().describe('Channels of the FPN and of both head towers'),
    towerConvs: integerIn({ min: 0 }).describe('conv3x3 + GroupNorm + ReLU blocks per tower (FCOS: 4); yolox: conv3x3 + BN + SiLU blocks per branch (YOLOX: 2)'),
    groupNormGroups: positiveInt().describe('GroupNorm groups in the FCOS towers; must divide `channels` (yolox uses batch norm)'),
    centerSampleRadius: nonNegative().describe("Center sampling: a location is a positive candidate only within radius x stride of the box centre (0 disables); also the radius of yolox's `center-prior` assigner (> 0)"),
    priorProbability: numberIn({ min: 0, max: 1, minOpen: true, maxOpen: true })
      .describe("Initial foreground probability of every class logit, and of yolox's objectness logit (the bias is set to log(p / (1 - p)))"),
    clsWeight: nonNegative().describe('Weight of the classification term'),
    boxWeight: nonNegative().describe('Weight of the box term (yolox: the 1 − IoU² term, default 5)'),
    centernessWeight: nonNegative().describe("Weight of the centerness term (FCOS's only)"),
    scoreThreshold: unit().describe('Inference: detections scoring below this (FCOS: score = sqrt(cls · centerness); yolox: obj · cls) are dropped'),
    topKPerLevel: positiveInt().describe('Inference: at most this many candidates per level go on to NMS'),
    nmsThreshold: unit().describe('Inference: class-wise NMS suppresses a box whose IoU with a higher-scoring one of its class exceeds this'),
    maxDetections: positiveInt().describe('Inference: detections kept per image'),
    scaleJitter: list(numberIn({ min: 0, minOpen: true }), '[min, max] with 0 < min <= max')
      .length(2, { error: '[min, max] with 0 < min <= max' })
      .refine(([lo, hi]) => lo <= hi, { error: 'needs min <= max' })
      .describe('Training: scale jitter factor range (aspect kept, crop/pad to the input size); [1, 1] disables it'),
    assigner: oneOf(['simota', 'center-prior']).describe(
      "yolox: how foreground locations are chosen. `simota` (YOLOX): from the predictions, dynamic k per box at the lowest cls + 3·IoU cost; `center-prior`: FCOS's static rule (inside the box and within centerSampleRadius strides of its centre, levelBounds by size)",
    ),
    clsTarget: oneOf(['iou', 'hard']).describe(
      "yolox: the classification target of a foreground location. `iou` (YOLOX): one-hot × the IoU of the location's predicted box with its box, a soft target; `hard`: one-hot, the target ASL and focal loss are designed for. Background locations never enter the classification loss",
    ),
    objLoss: nonEmptyText('a loss name (see `asl-run losses`)').describe('yolox: loss of the objectness logit (target 1 on foreground, 0 on every other location), a sigmoid loss from the registry'),
    objLossParams: openObject().describe('yolox: parameters of `objLoss` ({} = its defaults)'),
    objWeight: nonNegative().describe('yolox: weight of the objectness term (clsWeight and boxWeight weight the others)'),
  })
  .superRefine(({ strides, levelBounds, channels, groupNormGroups }, ctx) => {
    const problem = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (strides.some((s, i) => i > 0 && s !== 2 * strides[i - 1])) problem('strides', `each must be twice the previous, got ${JSON.stringify(strides)}`);
    if (levelBounds.length !== strides.length - 1) problem('levelBounds', `needs ${strides.length - 1} bounds for ${strides.length} levels, got ${JSON.stringify(levelBounds)}`);
    else if (levelBounds.some((b, i) => i > 0 && b <= levelBounds[i - 1])) problem('levelBounds', `must increase, got ${JSON.stringify(levelBounds)}`);
    if (channels % groupNormGroups !== 0) problem('groupNormGroups', `must divide channels (${channels}), got ${groupNormGroups}`);
  });

export type DetectionOptions = Omit<z.output<typeof detectionOptionsSchema>, 'objLossParams'> & { objLossParams: JsonObject };

export const DETECTION_DEFAULTS: Readonly<DetectionOptions> = Object.freeze({
  head: 'fcos',
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
  assigner: 'simota',
  clsTarget: 'iou',
  objLoss: 'bce',
  objLossParams: {},
  objWeight: 1,
});

/**
 * What `head: 'yolox'` changes in the defaults: YOLOX's inference thresholds and IoU-loss weight
 * (5). Its default classification loss (bce, FCOS: focal) is the task's `loss` default. The
 * assigner is the center prior, not YOLOX's SimOTA: on the short CPU schedule SimOTA's matches,
 * taken from a barely trained model's predictions, trained worse (measured, 2000 images x 2
 * epochs: AP50 0.066 with SimOTA, 0.108 with the center prior).
 */
export const YOLOX_DEFAULTS: Readonly<Partial<DetectionOptions>> = Object.freeze({
  head: 'yolox',
  assigner: 'center-prior',
  boxWeight: 5,
  scoreThreshold: 0.01,
  nmsThreshold: 0.65,
});

/** The defaults of `head` (an unknown head gets FCOS's, and fails validation later). */
function defaultsOf(head: unknown): DetectionOptions {
  return { ...DETECTION_DEFAULTS, ...(head === 'yolox' ? YOLOX_DEFAULTS : {}) };
}

/** The defaults of `head` as the JSON object a RunConfig holds. */
export function detectionDefaults(head: HeadName = 'fcos'): JsonObject {
  return JSON.parse(JSON.stringify(defaultsOf(head))) as JsonObject;
}

/**
 * The options of `taskOptions` over the defaults of its head.
 * @throws ConfigError naming the option (`taskOptions.<name>`) when it is unknown or invalid.
 */
export function detectionOptions(taskOptions: JsonObject): DetectionOptions {
  return parseOrThrow(detectionOptionsSchema, { ...defaultsOf(taskOptions.head), ...taskOptions }, (keyPath, unknownKey) => (unknownKey ? 'taskOptions' : ['taskOptions', ...keyPath].join('.'))) as DetectionOptions;
}
