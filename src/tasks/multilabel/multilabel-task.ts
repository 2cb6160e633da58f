/**
 * Multi-label classification (the paper's main setting): a backbone with a global-pool + dense
 * head, one sigmoid per class, trained with any `sigmoid` loss of the registry and evaluated by
 * mAP exactly as the ASL reference computes it.
 */
import { tf } from '../../core/tf';
import type { Batch, BatchSource, LossTerms, Metrics, TaskAdapter } from '../../core/engine/task';
import type { Loss } from '../../losses/loss-plugin';
import { multilabelMetrics } from '../../core/metrics/multilabel-metrics';
import { forEachPrediction } from '../common/predict';
import { requireLossKind } from '../common/loss-kind';
import { AdaptiveAsymmetry, AdaptiveState } from './adaptive-asymmetry';

/** Per-image target: the indices of the positive classes. */
export interface MultiLabelItem {
  labels: number[];
}

/** [B, C] multi-hot float32 from per-item label lists. */
export function multiHot(items: MultiLabelItem[], numClasses: number): tf.Tensor2D {
  const data = new Float32Array(items.length * numClasses);
  items.forEach((item, row) => item.labels.forEach((c) => (data[row * numClasses + c] = 1)));
  return tf.tensor2d(data, [items.length, numClasses]);
}

export class MultiLabelTask implements TaskAdapter<MultiLabelItem> {
  readonly name = 'multilabel';

  private criterion: Loss;

  /** @param adaptive set when the loss runs with adaptive asymmetry (asl's `adaptive` parameter). */
  constructor(
    readonly model: tf.LayersModel,
    criterion: Loss,
    readonly classes: string[],
    private readonly val: BatchSource<MultiLabelItem>,
    private readonly adaptive?: AdaptiveAsymmetry,
  ) {
    requireLossKind(criterion, 'sigmoid', '--loss', 'the multilabel task');
    this.criterion = adaptive?.loss() ?? criterion;
  }

  afterStep(diagnostics: Record<string, number>): Record<string, number> {
    if (!this.adaptive) return {};
    this.criterion = this.adaptive.update(diagnostics.probabilityGap);
    return { gammaNeg: this.adaptive.current.gammaNeg };
  }

  state(): unknown {
    return this.adaptive?.current;
  }

  restoreState(state: unknown): void {
    if (!this.adaptive || !state) return;
    this.adaptive.restore(state as AdaptiveState);
    this.criterion = this.adaptive.loss();
  }

  loss(outputs: tf.Tensor | tf.Tensor[], batch: Batch<MultiLabelItem>): LossTerms {
    const logits = outputs as tf.Tensor2D;
    const total = this.criterion.compute(logits, multiHot(batch.items, this.classes.length)) as tf.Scalar;
    return { total, parts: {} };
  }

  /** The paper's probability analysis on the training batch: mean sigmoid of positives and of negatives, and Δp. */
  diagnostics(outputs: tf.Tensor | tf.Tensor[], batch: Batch<MultiLabelItem>): Record<string, tf.Scalar> {
    const p = tf.sigmoid(outputs as tf.Tensor2D);
    const y = multiHot(batch.items, this.classes.length);
    const positives = y.sum();
    const negatives = tf.scalar(y.size).sub(positives);
    const meanPos = p.mul(y).sum().div(positives.maximum(1)) as tf.Scalar;
    const meanNeg = p.mul(tf.scalar(1).sub(y)).sum().div(negatives.maximum(1)) as tf.Scalar;
    // The paper's Δp compares p_t = p on positives with p_t = 1 - p on negatives (as multilabelMetrics does).
    return { meanProbPositives: meanPos, meanProbNegatives: meanNeg, probabilityGap: meanPos.sub(tf.scalar(1).sub(meanNeg)) as tf.Scalar };
  }

  async evaluate(): Promise<Metrics> {
    const { scores, targets } = await this.scoreSplit();
    const { perClassAP, ...summary } = multilabelMetrics(scores, targets);
    return { ...summary, perClassAP: Object.fromEntries(this.classes.map((c, i) => [c, perClassAP[i]])) };
  }

  /** Sigmoid scores and multi-hot targets of the whole validation split. */
  async scoreSplit(): Promise<{ scores: number[][]; targets: number[][] }> {
    const scores: number[][] = [];
    const targets: number[][] = [];
    const c = this.classes.length;
    await forEachPrediction(this.model, this.val, (outputs) => tf.sigmoid(outputs as tf.Tensor2D), (probs, batch) => {
      batch.items.forEach((item, row) => {
        scores.push(Array.from(probs.subarray(row * c, (row + 1) * c)));
        const t = new Array<number>(c).fill(0);
        item.labels.forEach((k) => (t[k] = 1));
        targets.push(t);
      });
    });
    return { scores, targets };
  }
}
