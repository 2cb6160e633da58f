/**
 * The detection task adapter of the YOLOX head: losses on the model's [B, L, C + 5] output with
 * the foreground chosen per step by the configured assigner, and the shared COCO evaluation with
 * YOLOX's decoding (score σ(obj)·σ(cls)).
 *
 * Loss = (boxWeight · Σ_fg (1 − IoU²) + objWeight · obj + clsWeight · cls) / max(numForeground, 1)
 * (YOLOX: 5, 1, 1), with
 *   obj: the `objLoss` sigmoid loss over all locations (target 1 on foreground, else 0);
 *   cls: the `--loss` sigmoid loss over the foreground rows (target per `clsTarget`).
 */
import { tf } from '../../../core/tf';
import type { Batch, BatchSource, LossTerms, Metrics, TaskAdapter } from '../../../core/engine/task';
import type { Loss, LossParams } from '../../../losses/loss-plugin';
import type { LossRegistry } from '../../../core/registry/loss-registry';
import type { CocoGroundTruth } from '../../../core/data/formats';
import type { LocationGrid } from '../locations';
import type { BoxesToAssign } from '../targets';
import { BOX_COLUMNS } from '../model';
import type { DetectionOptions } from '../options';
import { checkDetectorOutput, DetectorEvaluator, type DetectionEvalItem } from '../evaluation';
import { sigmoid } from '../postprocess';
import { CenterPriorAssigner, type Assigner } from './assigner';
import { SimOtaAssigner } from './simota';
import { YOLOX_DECODER } from './decode';
import { yoloxLossTargets, type YoloxLossTargets } from './loss-targets';
import { decodeBoxTensor, iouSquaredLoss } from './iou-loss';
import { requireLossKind } from '../../common/loss-kind';

const OBJ_LOSS_OPTION = 'taskOptions.objLoss (--obj-loss)';

/**
 * The objectness loss of `taskOptions.objLoss` / `objLossParams` from the loss registry.
 * @throws Error naming the option when the name is unknown, a parameter is bad, or the loss is not a sigmoid loss.
 */
export function createObjectnessLoss(losses: LossRegistry, options: Pick<DetectionOptions, 'objLoss' | 'objLossParams'>): Loss {
  try {
    losses.get(options.objLoss);
  } catch (err) {
    throw new Error(`${OBJ_LOSS_OPTION}: ${(err as Error).message}`);
  }
  let loss: Loss;
  try {
    // Through the registry, so that a plugin's loss is guarded on every batch like the classification loss.
    loss = losses.create(options.objLoss, options.objLossParams as Partial<LossParams>);
  } catch (err) {
    throw new Error(`taskOptions.objLossParams (--obj-loss-params): ${(err as Error).message}`);
  }
  requireLossKind(loss, 'sigmoid', OBJ_LOSS_OPTION, 'objectness');
  return loss;
}

/** The assigner of `taskOptions.assigner` (the center prior uses centerSampleRadius). */
export function createAssigner(options: Pick<DetectionOptions, 'assigner' | 'centerSampleRadius'>): Assigner {
  return options.assigner === 'simota' ? new SimOtaAssigner() : new CenterPriorAssigner(options.centerSampleRadius);
}

export class YoloxTask implements TaskAdapter<BoxesToAssign> {
  readonly name = 'detection';
  readonly primaryMetric = 'AP';
  private readonly assigner: Assigner;
  /** Computed by loss() from the same outputs (the assignment needs them there anyway). */
  private lastDiagnostics: Record<string, number> = {};
  private readonly evaluator: DetectorEvaluator;

  constructor(
    readonly model: tf.LayersModel,
    private readonly criterion: Loss,
    private readonly objCriterion: Loss,
    readonly classes: string[],
    private readonly grid: LocationGrid,
    private readonly options: DetectionOptions,
    val: BatchSource<DetectionEvalItem>,
    groundTruth: CocoGroundTruth,
  ) {
    requireLossKind(criterion, 'sigmoid', '--loss', 'the detection task');
    requireLossKind(objCriterion, 'sigmoid', OBJ_LOSS_OPTION, 'objectness');
    checkDetectorOutput(model, grid, classes.length);
    this.assigner = createAssigner(options);
    this.evaluator = new DetectorEvaluator({ model, val, grid, numClasses: classes.length, groundTruth, options, decoder: YOLOX_DECODER });
  }

  /** outputs [B, L, C + 5] → the three YOLOX loss terms (box, obj, cls). */
  loss(outputs: tf.Tensor | tf.Tensor[], batch: Batch<BoxesToAssign>): LossTerms {
    const out = outputs as tf.Tensor3D;
    const C = this.classes.length;
    const [B, L] = out.shape;
    const n = B * L;
    // The assignment reads the predictions as constants (no gradient flows through it).
    const rows = out.dataSync();
    const t = yoloxLossTargets(batch.items, rows, this.grid, C, this.assigner, this.options.clsTarget);
    this.lastDiagnostics = objectnessDiagnostics(rows, t, C, B);
    const normalizer = Math.max(t.numForeground, 1);
    const [logits, box, objLogit] = tf.split(tf.reshape(out, [n, C + BOX_COLUMNS + 1]), [C, BOX_COLUMNS, 1], 1) as tf.Tensor2D[];
    const foreground = tf.tensor2d(t.foreground, [n, 1]);
    const cls = this.criterion.compute(logits, tf.tensor2d(t.classes, [n, C]), { weights: foreground, normalizer, reduction: 'sum' }) as tf.Scalar;
    const obj = this.objCriterion.compute(objLogit, foreground, { weights: tf.tensor2d(t.objWeights, [n, 1]), normalizer, reduction: 'sum' }) as tf.Scalar;
    const corners = decodeBoxTensor(tf.reshape(box, [B, L, BOX_COLUMNS]), this.grid);
    const iouLoss = tf.reshape(iouSquaredLoss(corners, tf.tensor3d(t.boxes, [B, L, 4])), [n]);
    const boxTerm = tf.div(tf.sum(tf.mul(iouLoss, tf.reshape(foreground, [n]))), normalizer) as tf.Scalar;
    const { clsWeight, boxWeight, objWeight } = this.options;
    const total = tf.addN([tf.mul(boxTerm, boxWeight), tf.mul(obj, objWeight), tf.mul(cls, clsWeight)]) as tf.Scalar;
    return { total, parts: { box: boxTerm, obj, cls } };
  }

  /** Foreground locations per image and the mean objectness probability on foreground and background (of the last loss() call). */
  diagnostics(): Record<string, number> {
    return this.lastDiagnostics;
  }

  evaluate(): Promise<Metrics> {
    return this.evaluator.evaluate();
  }

  evaluationFiles(): Record<string, unknown> {
    return this.evaluator.files();
  }
}

/** The assignment's health and the objectness probabilities the positive/negative imbalance acts on. */
function objectnessDiagnostics(rows: ArrayLike<number>, t: YoloxLossTargets, numClasses: number, images: number): Record<string, number> {
  const columns = numClasses + BOX_COLUMNS + 1;
  let fgSum = 0;
  let bgSum = 0;
  let bgCount = 0;
  t.foreground.forEach((fg, row) => {
    const p = sigmoid(rows[row * columns + columns - 1]);
    if (fg) fgSum += p;
    else if (t.objWeights[row] > 0) {
      bgSum += p;
      bgCount++;
    }
  });
  return {
    foregroundPerImage: t.numForeground / images,
    meanObjForeground: t.numForeground > 0 ? fgSum / t.numForeground : 0,
    meanObjBackground: bgCount > 0 ? bgSum / bgCount : 0,
  };
}
