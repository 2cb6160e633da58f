/**
 * The FCOS loss terms on the model's [B, L, C + 5] output, from the targets the loader assigned
 * (targets.ts).
 *
 * Loss = clsWeight · cls + boxWeight · box + centernessWeight · ctr, with
 *   cls: the registry's sigmoid loss over all non-ignored locations, divided by max(positives, 1);
 *   box: GIoU loss of the positives weighted by their centerness target, divided by its sum;
 *   ctr: BCE of the centerness logit of the positives, divided by max(positives, 1).
 */
import { tf } from '../../../../core/tf';
import type { LossTerms } from '../../../../core/engine/task';
import type { Loss } from '../../../../losses/loss-plugin';
import { IGNORED, type FcosTargets } from '../../targets';
import { MAX_LOG_DISTANCE } from '../../box-coding';
import { giouLoss } from '../../giou';
import type { HeadLoss } from '../../head';
import type { FcosOptions } from './index';

/** Columns per output row besides the class logits: 4 box + 1 centerness. */
export const BOX_COLUMNS = 4;
export const FCOS_EXTRA_COLUMNS = BOX_COLUMNS + 1;

/** The targets of a batch as flat host arrays over N = B·L locations. */
export interface PackedTargets {
  /** [N * C] one-hot class targets (all zero for negatives and ignored locations). */
  classes: Float32Array;
  /** [N] 0 for ignored locations, else 1. */
  classWeights: Float32Array;
  /** [N * 4] ltrb / stride (0 where not positive). */
  ltrb: Float32Array;
  /** [N] centerness target (0 where not positive). */
  centerness: Float32Array;
  /** [N] 1 for positives. */
  positive: Float32Array;
  numPositives: number;
}

export function packTargets(items: readonly FcosTargets[], numClasses: number): PackedTargets {
  if (items.length === 0) throw new Error('packTargets: empty batch');
  const L = items[0].labels.length;
  const n = items.length * L;
  const packed: PackedTargets = {
    classes: new Float32Array(n * numClasses), classWeights: new Float32Array(n).fill(1), ltrb: new Float32Array(n * 4),
    centerness: new Float32Array(n), positive: new Float32Array(n), numPositives: 0,
  };
  items.forEach((t, b) => {
    if (t.labels.length !== L) throw new Error(`packTargets: item ${b} has ${t.labels.length} locations, item 0 has ${L}`);
    packed.ltrb.set(t.ltrb, b * L * 4);
    packed.centerness.set(t.centerness, b * L);
    for (let k = 0; k < L; k++) {
      const label = t.labels[k];
      const row = b * L + k;
      if (label === IGNORED) packed.classWeights[row] = 0;
      if (label < 0) continue;
      if (label >= numClasses) throw new Error(`packTargets: class ${label} at location ${k} of item ${b}, but the model has ${numClasses} classes`);
      packed.classes[row * numClasses + label] = 1;
      packed.positive[row] = 1;
      packed.numPositives++;
    }
  });
  return packed;
}

export class FcosLoss implements HeadLoss {
  constructor(
    private readonly criterion: Loss,
    private readonly numClasses: number,
    private readonly options: FcosOptions,
  ) {}

  /** outputs [B, L, C + 5] → the three FCOS loss terms. */
  loss(outputs: tf.Tensor3D, items: readonly FcosTargets[]): LossTerms {
    const C = this.numClasses;
    const t = packTargets(items, C);
    const n = t.positive.length;
    const { clsWeight, boxWeight, centernessWeight } = this.options;
    const rows = tf.reshape(outputs, [n, C + FCOS_EXTRA_COLUMNS]);
    const [logits, logLtrb, ctrLogit] = tf.split(rows, [C, BOX_COLUMNS, 1], 1) as tf.Tensor2D[];
    const normalizer = Math.max(t.numPositives, 1);
    const cls = this.criterion.compute(logits, tf.tensor2d(t.classes, [n, C]), { weights: tf.tensor2d(t.classWeights, [n, 1]), normalizer, reduction: 'sum' }) as tf.Scalar;
    const ctrTarget = tf.tensor1d(t.centerness);
    const predLtrb = tf.exp(tf.minimum(logLtrb, MAX_LOG_DISTANCE)) as tf.Tensor2D;
    const giou = giouLoss(predLtrb, tf.tensor2d(t.ltrb, [n, 4]));
    const ctrSum = t.centerness.reduce((s, v) => s + v, 0);
    const box = tf.div(tf.sum(tf.mul(giou, ctrTarget)), Math.max(ctrSum, 1e-6)) as tf.Scalar;
    const x = tf.reshape(ctrLogit, [n]);
    // BCE with logits: softplus(x) - x·y, summed over the positives.
    const bce = tf.sub(tf.softplus(x), tf.mul(x, ctrTarget));
    const ctr = tf.div(tf.sum(tf.mul(bce, tf.tensor1d(t.positive))), normalizer) as tf.Scalar;
    const total = tf.addN([tf.mul(cls, clsWeight), tf.mul(box, boxWeight), tf.mul(ctr, centernessWeight)]) as tf.Scalar;
    return { total, parts: { cls, box, ctr } };
  }

  /** Positive locations per image of the batch (the assignment's health). */
  diagnostics(_outputs: tf.Tensor3D, items: readonly FcosTargets[]): Record<string, number> {
    const positives = items.reduce((s, t) => s + t.numPositives, 0);
    return { positivesPerImage: positives / items.length };
  }
}
