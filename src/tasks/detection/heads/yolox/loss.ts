/**
 * The YOLOX loss terms on the model's [B, L, C + 5] output, with the foreground chosen per step by
 * the configured assigner from the predictions.
 *
 * Loss = (boxWeight · Σ_fg (1 − IoU²) + objWeight · obj + clsWeight · cls) / max(numForeground, 1)
 * (YOLOX: 5, 1, 1), with
 *   obj: the `objLoss` sigmoid loss over all locations (target 1 on foreground, else 0);
 *   cls: the `--loss` sigmoid loss over the foreground rows (target per `clsTarget`).
 */
import { tf } from '../../../../core/tf';
import type { LossTerms } from '../../../../core/engine/task';
import type { Loss, LossParams } from '../../../../losses/loss-plugin';
import type { LossRegistry } from '../../../../core/registry/loss-registry';
import type { LocationGrid } from '../../locations';
import type { BoxesToAssign } from '../../targets';
import type { HeadLoss } from '../../head';
import { sigmoid } from '../../postprocess';
import type { Assigner } from './assigner';
import { BOX_COLUMNS } from './head';
import type { YoloxOptions } from './index';
import { yoloxLossTargets, type YoloxLossTargets } from './loss-targets';
import { decodeBoxTensor, iouSquaredLoss } from './iou-loss';
import { requireLossKind } from '../../../common/loss-kind';

const OBJ_LOSS_OPTION = 'taskOptions.objLoss (--obj-loss)';

/**
 * The objectness loss of `taskOptions.objLoss` / `objLossParams` from the loss registry.
 * @throws Error naming the option when the name is unknown, a parameter is bad, or the loss is not a sigmoid loss.
 */
export function createObjectnessLoss(losses: LossRegistry, options: Pick<YoloxOptions, 'objLoss' | 'objLossParams'>): Loss {
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

export class YoloxLoss implements HeadLoss {
  /** Computed by loss() from the same outputs (the assignment needs them there anyway). */
  private lastDiagnostics: Record<string, number> = {};
  /** The assignment prepare() made from this step's predictions, for the loss() call that follows. */
  private prepared?: { items: readonly BoxesToAssign[]; targets: YoloxLossTargets; diagnostics: Record<string, number> };

  constructor(
    private readonly criterion: Loss,
    private readonly objCriterion: Loss,
    private readonly assigner: Assigner,
    private readonly numClasses: number,
    private readonly grid: LocationGrid,
    private readonly options: YoloxOptions,
  ) {
    requireLossKind(objCriterion, 'sigmoid', OBJ_LOSS_OPTION, 'objectness');
  }

  /** The assignment from the predictions read back asynchronously (backends without synchronous reads). */
  async prepare(out: tf.Tensor3D, items: readonly BoxesToAssign[]): Promise<void> {
    this.prepared = { items, ...this.assign(await out.data(), items, out.shape[0]) };
  }

  /** The assignment reads the predictions as constants (no gradient flows through it). */
  private assign(rows: ArrayLike<number>, items: readonly BoxesToAssign[], images: number): { targets: YoloxLossTargets; diagnostics: Record<string, number> } {
    const targets = yoloxLossTargets(items, rows, this.grid, this.numClasses, this.assigner, this.options.clsTarget);
    return { targets, diagnostics: objectnessDiagnostics(rows, targets, this.numClasses, images) };
  }

  /** outputs [B, L, C + 5] → the three YOLOX loss terms (box, obj, cls). */
  loss(out: tf.Tensor3D, items: readonly BoxesToAssign[]): LossTerms {
    const C = this.numClasses;
    const [B, L] = out.shape;
    const n = B * L;
    const prepared = this.prepared?.items === items ? this.prepared : undefined;
    this.prepared = undefined;
    const { targets: t, diagnostics } = prepared ?? this.assign(out.dataSync(), items, B);
    this.lastDiagnostics = diagnostics;
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
