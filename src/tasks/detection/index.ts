/**
 * The `detection` task definition: defaults (built-in mnist-detection at 128 px, a ResNet-tiny + FPN
 * P3–P5 sized for a CPU run, the head's own defaults and classification loss), data → loaders,
 * model, and `predict`. The head (`taskOptions.head`, default yolox) comes from the injected head
 * registry; everything head-specific is the head's (head.ts), so a plugin head works as a built-in.
 * Loading a saved detection model needs `registerDetectionLayers()` (and the backbones'
 * `registerCustomLayers()`) to have run.
 */
import { tf } from '../../core/tf';
import { baseRunConfig, RunConfig } from '../../core/run-config';
import type { PrepareOptions, PreparedTask, Prediction, TaskDefinition, TaskEnvironment } from '../../core/registry/task-registry';
import type { LossRegistry } from '../../core/registry/loss-registry';
import type { Registry } from '../../core/registry/registry';
import type { DetectionRecord } from '../../core/data/records';
import type { AugmentOptions, TransformInfo } from '../../core/data/pipeline/transform';
import type { JsonObject } from '../../core/config';
import { evalLoader, limitRecords, trainLoader } from '../common/loaders';
import { forEachPrediction } from '../common/predict';
import { requireLossKind } from '../common/loss-kind';
import { detectionOptionsSchema, headDefaults, headOptions, type DetectionOptions } from './options';
import { locationGrid, type LocationGrid } from './locations';
import type { BoxesToAssign } from './targets';
import type { DetectionHead } from './head';
import { buildDetector } from './model';
import type { BackboneRegistry } from '../../backbones/registry';
import type { DatasetRegistry } from '../../core/data/builtin';
import { DetectionAdapter } from './evaluation';
import type { DetectionEvalItem } from './evaluation';
import { detectImage } from './postprocess';
import { readDetectionSplits } from './data';
import { guardPluginHead } from './head-contract';

export { registerDetectionLayers } from './level-scale';

/** The head of a run that names none: YOLOX, measured ahead of FCOS at the default budget (README, Choosing the detection default). */
export const DEFAULT_HEAD = 'yolox';

export interface DetectionTaskDeps {
  losses: LossRegistry;
  backbones: BackboneRegistry;
  /** The built-in datasets (`data.builtin`). */
  datasets: DatasetRegistry;
  heads: Registry<DetectionHead>;
}

/** The network-input grid of locations of a run's config. */
function gridOf(config: RunConfig, options: DetectionOptions): LocationGrid {
  const size = config.model.imageSize;
  return locationGrid(size, size, options.strides, options.levelBounds);
}

const geometryOf = (info: TransformInfo) => ({ affine: info.affine, originalWidth: info.originalWidth, originalHeight: info.originalHeight });

/** The boxes that survived the augmentation, in network pixels, with their labels and ignore flags. */
export function boxesOf(record: DetectionRecord, info: TransformInfo): BoxesToAssign {
  return { boxes: info.boxes, labels: info.boxIndex.map((i) => record.labels[i]), ignore: info.boxIndex.map((i) => record.ignore[i]) };
}

/** The training loader's target function of `head`: its training item of the boxes that survived the augmentation. */
export function headTargetFn(head: DetectionHead, grid: LocationGrid, options: DetectionOptions): (record: DetectionRecord, info: TransformInfo) => unknown {
  const itemOf = head.trainingItem(grid, options);
  return (record, info) => itemOf(boxesOf(record, info));
}

function detectionAugment(config: RunConfig, options: DetectionOptions): AugmentOptions {
  const [lo, hi] = options.scaleJitter;
  return { hflip: config.augment.hflip, scaleJitter: lo === 1 && hi === 1 ? undefined : { scale: [lo, hi], fill: 114 } };
}

/** The detection task over the heads of `deps.heads` (plugin heads included, guarded so that their errors name their file). */
export function createDetectionTask(deps: DetectionTaskDeps): TaskDefinition {
  /**
   * The head `taskOptions.head` names and the run's options over its defaults. Options that only
   * other heads have are left out, as a saved run's config may hold them too; a user's options
   * were checked strictly (optionsSchema) before they reach here.
   */
  const resolve = (taskOptions: JsonObject): { head: DetectionHead; options: DetectionOptions } => {
    const name = typeof taskOptions.head === 'string' ? taskOptions.head : DEFAULT_HEAD;
    const { component, source } = deps.heads.entry(name);
    const head = source === 'built-in' ? component : guardPluginHead(component, source);
    const own = head.optionsSchema.shape;
    const othersOnly = new Set(deps.heads.list().flatMap((e) => Object.keys(e.component.optionsSchema.shape)).filter((key) => !(key in own)));
    const applicable = Object.fromEntries(Object.entries(taskOptions).filter(([key]) => !othersOnly.has(key)));
    return { head, options: headOptions(head, applicable) };
  };

  return {
    name: 'detection',
    description: 'Object detection with a head of the registry (--head: fcos, yolox, or a plugin\'s) on a backbone + FPN, evaluated by COCO AP (pycocotools-exact)',
    traits: { lossKind: 'sigmoid', primaryMetric: 'AP', metricDirection: 'max' },

    /** One strict object per registered head, chosen by `head`. */
    get optionsSchema() {
      return detectionOptionsSchema(deps.heads.list().map((e) => e.component));
    },

    /** @param taskOptions the user's task options: their `head` decides the defaults (e.g. yolox: bce classification loss, its thresholds and weights). */
    defaults(taskOptions?: JsonObject): RunConfig {
      // An unknown head gets the default head's defaults, and fails validation later with the known names.
      const name = typeof taskOptions?.head === 'string' && deps.heads.has(taskOptions.head) ? taskOptions.head : DEFAULT_HEAD;
      const head = deps.heads.get(name);
      const config = baseRunConfig();
      config.task = 'detection';
      config.loss = head.defaultLoss;
      config.data.builtin = 'mnist-detection';
      config.model.imageSize = 128;
      // Digits: a mirrored 2 is no 2. Of config.augment only hflip applies to detection (box-aware scale
      // jitter is taskOptions.scaleJitter); cutout is zeroed so the saved config does not suggest it.
      config.augment.hflip = 0;
      // As torchvision's and mmdetection's detection transforms: keep the aspect ratio (real data sets
      // mix portrait and landscape); the built-in scenes are square, where both fits agree.
      config.input.fit = 'letterbox';
      // As torchvision's detection builders: the backbone starts pretrained (built-in, cached; pretrained.ts).
      config.model.pretrained = 'auto';
      config.augment.cutoutHoles = 0;
      // Sized for `asl-run --task detection` to train and evaluate within 10 minutes on 2 CPU cores
      // (wasm); evaluated once, at the end (each evaluation of the live and EMA weights takes ~12 s).
      config.train.epochs = 6;
      config.train.batchSize = 32;
      config.train.evalEvery = config.train.epochs;
      // From the pretrained backbone, YOLOX, 4 epochs, AP50: 0.817 at lr 6e-3, 0.854 at 1.2e-2, 0.870 at 2.4e-2 (clipping keeps Adam stable there).
      config.train.lr = 2.4e-2;
      config.train.gradClipNorm = 10;
      config.taskOptions = headDefaults(head);
      return config;
    },

    async prepare(config: RunConfig, env: TaskEnvironment, prepareOptions: PrepareOptions = {}): Promise<PreparedTask> {
      const { head, options } = resolve(config.taskOptions);
      const criterion = deps.losses.create(config.loss, config.lossParams);
      requireLossKind(criterion, 'sigmoid', '--loss', 'the detection task');
      const splits = readDetectionSplits(config, { ...env, datasets: deps.datasets }, prepareOptions.model ? prepareOptions.classes : undefined);
      const classes = splits.val.classes;
      const grid = gridOf(config, options);
      const headLoss = head.createLoss({ grid, numClasses: classes.length, options, criterion, losses: deps.losses });
      const model = prepareOptions.model ?? buildDetector(head, deps.backbones, config, classes.length, options);
      const toEvalItem = (record: DetectionRecord, info: TransformInfo): DetectionEvalItem => ({ imageId: record.imageId, geometry: geometryOf(info) });
      const val = evalLoader(config, limitRecords(splits.val.records, config.data.maxValImages), toEvalItem, splits.skips.val);
      const trainRecords = splits.train && limitRecords(splits.train.records, config.data.maxTrainImages);
      const train = trainRecords && trainLoader(config, trainRecords, headTargetFn(head, grid, options), detectionAugment(config, options), splits.skips.train);
      return {
        adapter: new DetectionAdapter({ head, model, headLoss, classes, grid, options, val, groundTruth: splits.val.coco }),
        train: train as PreparedTask['train'],
        classes,
        skips: splits.skips.ledger,
      };
    },

    /** Per image: its detections [x, y, w, h] in original pixels with class name and score (`topK` is not used: `maxDetections` bounds the list). */
    async predict(model, config, classes, files): Promise<Prediction[]> {
      const { head, options } = resolve(config.taskOptions);
      const grid = gridOf(config, options);
      const loader = evalLoader(config, files.map((file) => ({ file })), (_record, info) => geometryOf(info));
      const perImage = grid.count * (classes.length + head.extraColumns);
      const out: Prediction[] = [];
      await forEachPrediction(model, loader, (outputs) => outputs as tf.Tensor, (rows, batch) => {
        batch.items.forEach((geometry, i) => {
          const detections = detectImage(rows, i * perImage, grid, classes.length, geometry, options, head.decoder, head.extraColumns);
          out.push({ image: batch.records[i].file, detections: detections.map((d) => ({ bbox: d.box, label: classes[d.label], score: d.score })) });
        });
      });
      return out;
    },
  };
}
