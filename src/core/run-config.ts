/**
 * The resolved configuration of one run, as written to `<run>/config.json`. Every task starts
 * from `baseRunConfig()` and overrides what differs; the defaults are the documentation.
 */
import { BACKEND_NAMES } from './backend/init';
import type { TrainConfig } from './engine/trainer';
import { deepMerge, type JsonObject } from './config';
import type { LossParams } from '../losses/loss-plugin';
import { bool, inFile, integerIn, nonEmptyText, numberIn, oneOf, openObject, parseOrThrow, text, z } from './schema';

const object = <T extends z.ZodRawShape>(shape: T) => z.strictObject(shape, { error: 'an object' });
const probability = () => numberIn({ min: 0, max: 1 });
/** A fraction of momentum or decay: 1 would never move. */
const decay = () => numberIn({ min: 0, max: 1, maxOpen: true });
const rgb = (range: Parameters<typeof numberIn>[0]) => z.array(numberIn(range), { error: 'a list of 3 numbers' }).length(3, { error: 'a list of 3 numbers (R, G, B)' });

/**
 * Square input sizes. 8 px is the least a backbone can take and keep a feature map; 2048 px is
 * where one float32 RGB image reaches 48 MiB and a batch of them alone fills the wasm heap
 * (4 GiB at most); far beyond, tfjs fails with "Invalid typed array length", naming nothing.
 */
const IMAGE_SIZE_RANGE = { min: 8, max: 2048 } as const;

/**
 * Where a run's initial backbone weights come from besides `initFrom`: fresh, the built-in
 * pretraining (engine/pretrained.ts), or `auto`: the built-in pretraining where nothing else gives
 * the backbone's weights (see `usesBuiltinPretraining`).
 */
export const PRETRAINED_CHOICES = ['none', 'builtin', 'auto'] as const;

/** Every user-settable key of a run's config with its type, range and meaning; `taskOptions` is each task's own schema. */
export const runConfigSchema = object({
  task: nonEmptyText('a task name'),
  loss: nonEmptyText('a loss name (see `asl-run losses`)'),
  lossParams: openObject().describe("The loss's parameters over its defaults (checked by the loss)"),
  backend: oneOf(BACKEND_NAMES),
  data: object({
    builtin: text().describe('Built-in dataset used when neither `dir` nor `train`/`val` is given'),
    dir: text().describe('A dataset folder whose train/val splits are found by convention (COCO, CSV, ImageFolder, VOC)'),
    train: text().describe('Explicit training split (annotation file, CSV or folder), overriding `dir`'),
    val: text().describe('Explicit validation split, overriding `dir`'),
    skipBad: bool().describe('Skip and count bad records instead of stopping at the first one'),
    maxTrainImages: integerIn({ min: 0 }).describe('Use at most this many training images (0 = all): quick experiments and tests'),
    maxValImages: integerIn({ min: 0 }).describe('Use at most this many validation images (0 = all)'),
    builtinOptions: openObject().describe('Options of the built-in dataset generator (e.g. missingLabels), checked by it'),
  }),
  model: object({
    backbone: nonEmptyText('a backbone name'),
    imageSize: integerIn(IMAGE_SIZE_RANGE).describe('Square input size in pixels'),
    widthMultiplier: numberIn({ min: 0, minOpen: true, max: 16 }),
    stemStride: z.union([z.literal(1), z.literal(2)], { error: '1 or 2' }).describe('1 keeps full resolution in the stem (small images), 2 halves it'),
    initFrom: text().describe('Initialise from a run folder (any task) or a TF.js layers model (folder or model.json), by weight name and shape; the backbone must load whole unless initFromPartial'),
    initFromPartial: bool().describe('Allow initFrom to load only part of the backbone'),
    pretrained: oneOf(PRETRAINED_CHOICES).describe("builtin: initialise the backbone from asl-run's built-in pretraining of this backbone and width (on the built-in single-label set, cached; run once on first use); none: fresh initialisation; auto (detection's default): builtin unless initFrom is given or the backbone is a tfjs:PATH model, which brings its own weights"),
    taps: z.array(nonEmptyText('a layer name'), { error: 'a list of layer names' })
      .describe('With a tfjs:PATH backbone: the layers whose outputs are the feature maps, shallow to deep'),
  }).refine((m) => m.pretrained !== 'builtin' || m.initFrom === '', { error: 'builtin and initFrom (--init-from) both give the initial weights; use one of them', path: ['pretrained'] }),
  input: object({
    mean: rgb({}).describe('Per-channel mean subtracted from pixels scaled to [0, 1]'),
    std: rgb({ min: 0, minOpen: true }).describe('Per-channel std dividing them'),
    cacheMB: numberIn({ min: 0 }).describe('Decoded-image cache for evaluation, in MB'),
    fit: oneOf(['stretch', 'letterbox']).describe('How an image reaches the square input: stretch each side, or letterbox (keep the aspect ratio, pad with padValue); boxes follow'),
    padValue: integerIn({ min: 0, max: 255 }),
  }),
  augment: object({
    hflip: probability().describe('Probability of a horizontal flip (0 for digits, where a flip changes the class)'),
    cutoutHoles: integerIn({ min: 0 }).describe('Cutout holes per image (0 disables), each of side cutoutSize x the image side'),
    cutoutSize: probability(),
    cropScaleMin: numberIn({ min: 0, minOpen: true, max: 1 }).describe('Random resized crop: minimum area fraction (1 disables)'),
    cropRatioMin: numberIn({ min: 0, minOpen: true }),
    cropRatioMax: numberIn({ min: 0, minOpen: true }),
  }).refine((a) => a.cropRatioMin <= a.cropRatioMax, { error: 'cropRatioMin must not exceed cropRatioMax', path: ['cropRatioMax'] }),
  train: object({
    epochs: integerIn({ min: 1 }),
    batchSize: integerIn({ min: 1 }),
    seed: integerIn({ min: 0, max: 2 ** 32 - 1 }).describe('Seed of initialisation, shuffling and augmentation'),
    lr: numberIn({ min: 0, minOpen: true }).describe('Peak learning rate'),
    optimizer: object({
      name: nonEmptyText('an optimiser name').describe('A registered optimiser: adam, adamw, sgd, or one a --plugin registers').meta({ examples: ['adam', 'adamw', 'sgd'] }),
      weightDecay: numberIn({ min: 0 }).describe('L2 penalty (adam, sgd) or decoupled decay (adamw); never on biases and norm weights'),
      beta1: decay(),
      beta2: decay(),
      eps: numberIn({ min: 0, minOpen: true }),
      momentum: decay().describe('SGD momentum'),
      nesterov: bool(),
    }),
    schedule: object({
      name: nonEmptyText('a schedule name').describe('A registered schedule: onecycle, cosine, constant, or one a --plugin registers').meta({ examples: ['onecycle', 'cosine', 'constant'] }),
      pctStart: numberIn({ min: 0, max: 1, minOpen: true, maxOpen: true }).describe('onecycle: fraction of the steps spent increasing the lr'),
      divFactor: numberIn({ min: 0, minOpen: true }).describe('onecycle: initial lr = lr / divFactor'),
      finalDivFactor: numberIn({ min: 0, minOpen: true }).describe('onecycle: final lr = initial lr / finalDivFactor'),
      cycleMomentum: bool(),
      baseMomentum: decay(),
      maxMomentum: decay(),
      warmupSteps: integerIn({ min: 0 }).describe('cosine: linear warm-up from warmupLr over this many steps'),
      warmupLr: numberIn({ min: 0 }),
      minLr: numberIn({ min: 0 }).describe('cosine: lower bound reached at the last step'),
    }),
    ema: object({ enabled: bool(), decay: decay(), warmup: bool() }),
    gradClipNorm: numberIn({ min: 0 }).describe('Clip the global gradient norm to this; 0 disables'),
    freezeBackboneEpochs: integerIn({ min: 0 }).describe('Backbone weights are not updated for this many first epochs (batch-norm statistics still are)'),
    backboneLrMult: numberIn({ min: 0 }).describe("The backbone's learning rate as a multiple of the rest's"),
    logEvery: integerIn({ min: 1 }),
    evalEvery: integerIn({ min: 1 }).describe('Evaluate every this many epochs (the last one always)'),
  }),
  taskOptions: openObject().describe('Task-specific options (e.g. the detection head); each task defines its own'),
});

type Parsed = z.output<typeof runConfigSchema>;
export type DataConfig = Parsed['data'] & { builtinOptions: JsonObject };
export type ModelConfig = Parsed['model'];
export type InputConfig = Parsed['input'];
export type AugmentConfig = Parsed['augment'];

/** The schema's `train` section is the engine's TrainConfig (a compile-time check: B must be assignable to A). */
type Agrees<A, B extends A> = B;
type TrainSection = Agrees<TrainConfig & { batchSize: number }, Parsed['train']>;

export interface RunConfig extends Omit<Parsed, 'lossParams' | 'data' | 'train' | 'taskOptions'> {
  lossParams: LossParams;
  data: DataConfig;
  train: TrainSection;
  taskOptions: JsonObject;
}

/** The defaults shared by every task: the ASL reference recipe (Adam 1e-4, OneCycle, EMA 0.9997) scaled to short runs. */
export function baseRunConfig(): RunConfig {
  return {
    task: 'multilabel',
    loss: 'asl',
    lossParams: {},
    backend: 'auto',
    data: { builtin: '', dir: '', train: '', val: '', skipBad: false, maxTrainImages: 0, maxValImages: 0, builtinOptions: {} },
    model: { backbone: 'resnet-tiny', imageSize: 64, widthMultiplier: 1, stemStride: 2, initFrom: '', initFromPartial: false, pretrained: 'none', taps: [] },
    input: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], cacheMB: 256, fit: 'stretch', padValue: 114 },
    augment: { hflip: 0.5, cutoutHoles: 1, cutoutSize: 0.25, cropScaleMin: 1, cropRatioMin: 0.75, cropRatioMax: 1.3333333333333333 },
    train: {
      epochs: 10,
      batchSize: 64,
      seed: 0,
      lr: 2e-3,
      optimizer: { name: 'adam', weightDecay: 1e-4, beta1: 0.9, beta2: 0.999, eps: 1e-8, momentum: 0.9, nesterov: false },
      schedule: {
        name: 'onecycle', pctStart: 0.2, divFactor: 25, finalDivFactor: 1e4, cycleMomentum: true, baseMomentum: 0.85, maxMomentum: 0.95,
        warmupSteps: 100, warmupLr: 1e-5, minLr: 1e-6,
      },
      ema: { enabled: true, decay: 0.9997, warmup: true },
      gradClipNorm: 0,
      freezeBackboneEpochs: 0,
      backboneLrMult: 1,
      logEvery: 20,
      evalEvery: 1,
    },
    taskOptions: {},
  };
}

/**
 * A run's saved config over the base defaults (options added since it was written take their base
 * default, the behaviour it was trained with), checked by the schema like a config file.
 */
export function parseSavedRunConfig(saved: JsonObject, file: string): RunConfig {
  return parseOrThrow(runConfigSchema, deepMerge(baseRunConfig(), saved), inFile(file)) as RunConfig;
}
