/**
 * The `detection` task definition: defaults (built-in mnist-detection at 128 px, focal loss, a
 * ResNet-tiny + FPN P3–P5 FCOS with narrow towers sized for a CPU run; `taskOptions.head: 'yolox'`
 * swaps in the YOLOX head, src/tasks/detection/yolox/), data → loaders, model, and `predict`.
 * Loading a saved detection model needs `registerDetectionLayers()` (and the backbones'
 * `registerCustomLayers()`) to have run.
 */
import { tf } from '../../core/tf';
import { baseRunConfig, RunConfig } from '../../core/run-config';
import type { PrepareOptions, PreparedTask, Prediction, TaskDefinition, TaskEnvironment } from '../../core/registry/task-registry';
import type { DetectionRecord } from '../../core/data/records';
import type { AugmentOptions, TransformInfo } from '../../core/data/pipeline/transform';
import { evalLoader, limitRecords, trainLoader } from '../common/loaders';
import { forEachPrediction } from '../common/predict';
import { detectionDefaults, detectionOptions, detectionOptionsSchema, type DetectionOptions, type HeadName } from './options';
import { locationGrid, type LocationGrid } from './locations';
import { assignTargets, type BoxesToAssign, type FcosTargets } from './targets';
import { buildDetectionModel, EXTRA_COLUMNS } from './model';
import { DetectionTask } from './detection-task';
import type { DetectionEvalItem } from './evaluation';
import { detectImage, FCOS_DECODER, type RowDecoder } from './postprocess';
import { buildYoloxModel } from './yolox/head';
import { createObjectnessLoss, YoloxTask } from './yolox/yolox-task';
import { YOLOX_DECODER } from './yolox/decode';
import type { JsonObject } from '../../core/config';
import { readDetectionSplits } from './data';
import type { LossRegistry } from '../../core/registry/loss-registry';
import type { BackboneRegistry } from '../../backbones/registry';
import type { DatasetRegistry } from '../../core/data/builtin';
import type { Registry } from '../../core/registry/registry';
import type { DetectionHead } from './head';

export { registerDetectionLayers } from './level-scale';

/** The network-input grid of locations of a run's config. */
function gridOf(config: RunConfig, options: DetectionOptions): LocationGrid {
  const size = config.model.imageSize;
  return locationGrid(size, size, options.strides, options.levelBounds);
}

const geometryOf = (info: TransformInfo) => ({ affine: info.affine, originalWidth: info.originalWidth, originalHeight: info.originalHeight });

/** What differs between the heads at build and inference time (training differs in the adapters). */
const HEADS: Record<HeadName, { build: typeof buildDetectionModel; decoder: RowDecoder }> = {
  fcos: { build: buildDetectionModel, decoder: FCOS_DECODER },
  yolox: { build: buildYoloxModel, decoder: YOLOX_DECODER },
};

/** The boxes that survived the augmentation, in network pixels, with their labels and ignore flags (YOLOX's loader items: its assignment runs in the loss). */
export function boxesOf(record: DetectionRecord, info: TransformInfo): BoxesToAssign {
  return { boxes: info.boxes, labels: info.boxIndex.map((i) => record.labels[i]), ignore: info.boxIndex.map((i) => record.ignore[i]) };
}

/** The loader's target function: FCOS targets of the boxes that survived the augmentation. */
export function fcosTargetFn(grid: LocationGrid, options: DetectionOptions): (record: DetectionRecord, info: TransformInfo) => FcosTargets {
  return (record, info) => assignTargets(grid, boxesOf(record, info), options.centerSampleRadius);
}

function detectionAugment(config: RunConfig, options: DetectionOptions): AugmentOptions {
  const [lo, hi] = options.scaleJitter;
  return { hflip: config.augment.hflip, scaleJitter: lo === 1 && hi === 1 ? undefined : { scale: [lo, hi], fill: 114 } };
}

/** Interim: the detection task with injected components until the head modules land. */
export interface DetectionDeps {
  losses: LossRegistry;
  backbones: BackboneRegistry;
  datasets: DatasetRegistry;
  heads: Registry<DetectionHead>;
}

export const createDetectionTask = (deps: DetectionDeps): TaskDefinition => ({
  traits: { lossKind: 'sigmoid', primaryMetric: 'AP', metricDirection: 'max' },
  name: 'detection',
  description: 'Object detection with an FCOS or YOLOX head (--head) on a backbone + FPN, evaluated by COCO AP (pycocotools-exact)',

  optionsSchema: detectionOptionsSchema,

  /** @param taskOptions the user's task options: `head: 'yolox'` gives YOLOX's defaults (bce classification loss, its thresholds and weights). */
  defaults(taskOptions?: JsonObject): RunConfig {
    const head = taskOptions?.head === 'yolox' ? 'yolox' : 'fcos';
    const config = baseRunConfig();
    config.task = 'detection';
    config.loss = head === 'yolox' ? 'bce' : 'focal';
    config.data.builtin = 'mnist-detection';
    config.model.imageSize = 128;
    // Digits: a mirrored 2 is no 2. Of config.augment only hflip applies to detection (box-aware scale
    // jitter is taskOptions.scaleJitter); cutout is zeroed so the saved config does not suggest it.
    config.augment.hflip = 0;
    // As torchvision's and mmdetection's detection transforms: keep the aspect ratio (real data sets
    // mix portrait and landscape); the built-in scenes are square, where both fits agree.
    config.input.fit = 'letterbox';
    config.augment.cutoutHoles = 0;
    // Sized for `asl-run --task detection` to train and evaluate within 15 minutes on 2 CPU cores (wasm).
    config.train.epochs = 3;
    config.train.batchSize = 32;
    config.train.evalEvery = 3;
    // Measured on the default run: lr 6e-3 with clipping reached AP 0.215 vs 0.176 at the base 2e-3.
    config.train.lr = 6e-3;
    config.train.gradClipNorm = 10;
    config.taskOptions = detectionDefaults(head);
    return config;
  },

  async prepare(config: RunConfig, env: TaskEnvironment, prepareOptions: PrepareOptions = {}): Promise<PreparedTask> {
    const options = detectionOptions(config.taskOptions);
    const criterion = deps.losses.create(config.loss, config.lossParams);
    const objCriterion = options.head === 'yolox' ? createObjectnessLoss(deps.losses, options) : undefined;
    const splits = readDetectionSplits(config, { ...env, datasets: deps.datasets }, prepareOptions.model ? prepareOptions.classes : undefined);
    const classes = splits.val.classes;
    const grid = gridOf(config, options);
    const model = prepareOptions.model ?? HEADS[options.head].build(config, classes.length, options, deps.backbones);
    const toEvalItem = (record: DetectionRecord, info: TransformInfo): DetectionEvalItem => ({ imageId: record.imageId, geometry: geometryOf(info) });
    const val = evalLoader(config, limitRecords(splits.val.records, config.data.maxValImages), toEvalItem, splits.skips.val);
    const trainRecords = splits.train && limitRecords(splits.train.records, config.data.maxTrainImages);
    const augment = detectionAugment(config, options);
    const prepared = (adapter: unknown, train: unknown): PreparedTask => ({
      adapter: adapter as PreparedTask['adapter'],
      train: train as PreparedTask['train'],
      classes,
      skips: splits.skips.ledger,
    });
    // FCOS assigns targets in the loader; YOLOX's loader passes the boxes on to the assignment in its loss.
    if (objCriterion) {
      return prepared(
        new YoloxTask(model, criterion, objCriterion, classes, grid, options, val, splits.val.coco),
        trainRecords && trainLoader(config, trainRecords, boxesOf, augment, splits.skips.train),
      );
    }
    return prepared(
      new DetectionTask(model, criterion, classes, grid, options, val, splits.val.coco),
      trainRecords && trainLoader(config, trainRecords, fcosTargetFn(grid, options), augment, splits.skips.train),
    );
  },

  /** Per image: its detections [x, y, w, h] in original pixels with class name and score (`topK` is not used: `maxDetections` bounds the list). */
  async predict(model, config, classes, files): Promise<Prediction[]> {
    const options = detectionOptions(config.taskOptions);
    const grid = gridOf(config, options);
    const loader = evalLoader(config, files.map((file) => ({ file })), (_record, info) => geometryOf(info));
    const perImage = grid.count * (classes.length + EXTRA_COLUMNS);
    const out: Prediction[] = [];
    await forEachPrediction(model, loader, (outputs) => outputs as tf.Tensor, (rows, batch) => {
      batch.items.forEach((geometry, i) => {
        const detections = detectImage(rows, i * perImage, grid, classes.length, geometry, options, HEADS[options.head].decoder);
        out.push({ image: batch.records[i].file, detections: detections.map((d) => ({ bbox: d.box, label: classes[d.label], score: d.score })) });
      });
    });
    return out;
  },
});
