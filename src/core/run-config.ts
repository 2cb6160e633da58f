/**
 * The resolved configuration of one run, as written to `<run>/config.json`. Every task starts
 * from `baseRunConfig()` and overrides what differs; the defaults are the documentation.
 */
import type { BackendName } from './backend/init';
import type { TrainConfig } from './engine/trainer';
import type { JsonObject } from './config';
import type { LossParams } from '../losses/loss-plugin';

export interface DataConfig {
  /** Built-in dataset used when neither `dir` nor `train`/`val` is given. */
  builtin: string;
  /** A dataset folder whose train/val splits are found by convention (COCO, CSV, ImageFolder, VOC). */
  dir: string;
  /** Explicit split paths (annotation file, CSV or folder), overriding `dir`. */
  train: string;
  val: string;
  /** Skip and count bad records instead of stopping at the first one. */
  skipBad: boolean;
  /** Use at most this many images of each split (0 = all): quick experiments and tests. */
  maxTrainImages: number;
  maxValImages: number;
  /** Options of the built-in dataset generator (e.g. missingLabels). */
  builtinOptions: JsonObject;
}

export interface ModelConfig {
  backbone: string;
  /** Square input size in pixels. */
  imageSize: number;
  widthMultiplier: number;
  /** 1 keeps full resolution in the stem (small images), 2 halves it. */
  stemStride: number;
}

export interface InputConfig {
  /** Per-channel mean and std applied to pixels scaled to [0, 1]. */
  mean: number[];
  std: number[];
  /** Decoded-image cache for evaluation, in MB. */
  cacheMB: number;
  /**
   * How an image reaches the square network input (evaluation, and training without a geometric
   * augmentation): `stretch` resizes each side independently, `letterbox` keeps the aspect ratio
   * and pads the rest with `padValue` (0..255). Boxes follow either way.
   */
  fit: 'stretch' | 'letterbox';
  padValue: number;
}

export interface AugmentConfig {
  /** Probability of a horizontal flip (0 for digits, where a flip changes the class). */
  hflip: number;
  /** Cutout holes per image (0 disables), each of side cutoutSize x the image side, filled with a random colour (as the ASL repo's CutoutPIL). */
  cutoutHoles: number;
  cutoutSize: number;
  /** Random resized crop: minimum area fraction (1 disables) and aspect-ratio range. */
  cropScaleMin: number;
  cropRatioMin: number;
  cropRatioMax: number;
}

export interface RunConfig {
  task: string;
  loss: string;
  lossParams: LossParams;
  backend: BackendName;
  data: DataConfig;
  model: ModelConfig;
  input: InputConfig;
  augment: AugmentConfig;
  train: TrainConfig & { batchSize: number };
  /** Task-specific options (e.g. the detection head); each task documents its own. */
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
    model: { backbone: 'resnet-tiny', imageSize: 64, widthMultiplier: 1, stemStride: 2 },
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
      logEvery: 20,
      evalEvery: 1,
    },
    taskOptions: {},
  };
}

/** Config objects whose keys the owner (loss, data set, task) defines and checks, not the config merge. */
export const OPEN_CONFIG_KEYS = ['lossParams', 'data.builtinOptions', 'taskOptions'];
