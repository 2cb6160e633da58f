/**
 * The detection task's options (`config.taskOptions`), a flat JSON object: the options every head
 * shares (pyramid levels, width, loss weights, inference thresholds, augmentation) are defined
 * here; each head adds its own (head.ts `optionsSchema`). A run's options are checked strictly
 * against `{ shared ∪ its head's own }`, so a key of another head is an unknown option.
 *
 * Sizes are for the built-in 128x128 mnist-detection scenes (digits 16–56 px): FCOS's COCO ranges
 * (P3 up to 64 px, i.e. 8 strides) are scaled down to 3 strides per level, which leaves 1% of the
 * training boxes without any positive location (2 strides: 3.6%; mostly thin 1s between P3 centres).
 * The FPN is narrow (32 channels instead of FCOS's 256) so that the default run fits 15 minutes on a
 * 2-core CPU.
 */
import type { JsonObject } from '../../core/config';
import { integerIn, numberIn, parseOrThrow, z } from '../../core/schema';
import type { DetectionHead } from './head';

const positiveInt = () => integerIn({ min: 1 });
const nonNegative = () => numberIn({ min: 0 });
const unit = () => numberIn({ min: 0, max: 1 });
const list = <T extends z.ZodType>(each: T, what: string) => z.array(each, { error: what });

/** The options every head has, their ranges and meanings (`head` is added per head). */
export const sharedOptionsShape = {
  strides: list(positiveInt(), 'a list of positive integers')
    .min(1, { error: 'a list of at least one stride' })
    .describe("Strides of the pyramid levels the head runs on, each twice the previous (P3–P5 = 8, 16, 32). Levels beyond the backbone's deepest stride are FPN extra levels"),
  levelBounds: list(numberIn({ min: 0, minOpen: true }), 'a list of numbers > 0')
    .describe('Upper bounds of the largest ltrb distance (network pixels) of levels 0..n-2; the last level takes everything above. FCOS: [64, 128, 256, 512]'),
  channels: positiveInt().describe('Channels of the FPN and of the head'),
  priorProbability: numberIn({ min: 0, max: 1, minOpen: true, maxOpen: true })
    .describe('Initial foreground probability of every class logit (the bias is set to log(p / (1 - p))), and of yolox\'s objectness logit'),
  clsWeight: nonNegative().describe('Weight of the classification term'),
  boxWeight: nonNegative().describe('Weight of the box term (yolox: the 1 − IoU² term, default 5)'),
  scoreThreshold: unit().describe('Inference: detections scoring below this (FCOS: score = sqrt(cls · centerness); yolox: obj · cls) are dropped'),
  topKPerLevel: positiveInt().describe('Inference: at most this many candidates per level go on to NMS'),
  nmsThreshold: unit().describe('Inference: class-wise NMS suppresses a box whose IoU with a higher-scoring one of its class exceeds this'),
  maxDetections: positiveInt().describe('Inference: detections kept per image'),
  scaleJitter: list(numberIn({ min: 0, minOpen: true }), '[min, max] with 0 < min <= max')
    .length(2, { error: '[min, max] with 0 < min <= max' })
    .refine(([lo, hi]) => lo <= hi, { error: 'needs min <= max' })
    .describe('Training: scale jitter factor range (aspect kept, crop/pad to the input size); [1, 1] disables it'),
};

type SharedOptions = z.output<z.ZodObject<typeof sharedOptionsShape>>;

/** A run's options: the shared ones, the head's name, and the head's own (which only the head reads). */
export type DetectionOptions = SharedOptions & { head: string } & { readonly [own: string]: unknown };

export const SHARED_DEFAULTS: Readonly<SharedOptions> = Object.freeze({
  strides: [8, 16, 32],
  levelBounds: [24, 48],
  channels: 32,
  priorProbability: 0.01,
  clsWeight: 1,
  boxWeight: 1,
  scoreThreshold: 0.05,
  topKPerLevel: 1000,
  nmsThreshold: 0.6,
  maxDetections: 100,
  scaleJitter: [1, 1],
});

/** Relations between the shared options. */
function checkShared({ strides, levelBounds }: SharedOptions, problem: (key: string, message: string) => void): void {
  if (strides.some((s, i) => i > 0 && s !== 2 * strides[i - 1])) problem('strides', `each must be twice the previous, got ${JSON.stringify(strides)}`);
  if (levelBounds.length !== strides.length - 1) problem('levelBounds', `needs ${strides.length - 1} bounds for ${strides.length} levels, got ${JSON.stringify(levelBounds)}`);
  else if (levelBounds.some((b, i) => i > 0 && b <= levelBounds[i - 1])) problem('levelBounds', `must increase, got ${JSON.stringify(levelBounds)}`);
}

/** The strict schema of the options of a run of `head`: `head` (that name), the shared options and the head's own. */
export function headOptionsSchema(head: DetectionHead): z.ZodObject {
  return z
    .strictObject({
      head: z.literal(head.name, { error: `'${head.name}'` }).describe(`The detection head: ${head.name} — ${head.description}`),
      ...sharedOptionsShape,
      ...head.optionsSchema.shape,
    })
    .superRefine((options, ctx) => {
      const problem = (key: string, message: string) => ctx.addIssue({ code: 'custom', path: [key], message });
      checkShared(options as SharedOptions, problem);
      head.checkOptions?.(options as DetectionOptions, problem);
    });
}

/**
 * The task's `optionsSchema` over the registered heads: one strict object per head, chosen by
 * `head` (a discriminated union, which the JSON Schema of config files shows as one branch per head).
 */
export function detectionOptionsSchema(heads: readonly DetectionHead[]): z.ZodType {
  const names = heads.map((h) => `'${h.name}'`).join(', ');
  const [first, ...rest] = heads.map(headOptionsSchema);
  return z.discriminatedUnion('head', [first, ...rest], { error: (issue) => (issue.code === 'invalid_union' ? `one of ${names}` : undefined) });
}

/** The complete default options of `head`, as the JSON object a RunConfig holds. */
export function headDefaults(head: DetectionHead): JsonObject {
  return JSON.parse(JSON.stringify({ head: head.name, ...SHARED_DEFAULTS, ...head.defaults })) as JsonObject;
}

/**
 * The options of `taskOptions` over the defaults of `head` (whose name `taskOptions.head` holds).
 * @throws ConfigError naming the option (`taskOptions.<name>`) when it is unknown or invalid.
 */
export function headOptions(head: DetectionHead, taskOptions: JsonObject): DetectionOptions {
  return parseOrThrow(headOptionsSchema(head), { ...headDefaults(head), ...taskOptions }, (keyPath, unknownKey) =>
    unknownKey ? 'taskOptions' : ['taskOptions', ...keyPath].join('.'),
  ) as DetectionOptions;
}
