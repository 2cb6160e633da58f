/**
 * Single-label classification (ImageNet-style): softmax over classes, trained with any `softmax`
 * loss of the registry (ce, asl-single-label, …), evaluated by top-1/top-5, per-class accuracy and
 * the confusion matrix.
 */
import { tf } from '../../core/tf';
import type { Batch, BatchSource, LossTerms, Metrics, TaskAdapter } from '../../core/engine/task';
import type { Loss } from '../../losses/loss-plugin';
import { classificationMetrics } from '../../core/metrics/classification-metrics';
import { forEachPrediction } from '../common/predict';
import { requireLossKind } from '../common/loss-kind';

export interface SingleLabelItem {
  label: number;
}

export class SingleLabelTask implements TaskAdapter<SingleLabelItem> {
  readonly name = 'singlelabel';

  constructor(
    readonly model: tf.LayersModel,
    private readonly criterion: Loss,
    readonly classes: string[],
    private readonly val: BatchSource<SingleLabelItem>,
  ) {
    const hint = criterion.name === 'asl' ? ' (the single-label form of ASL is asl-single-label)' : '';
    requireLossKind(criterion, 'softmax', '--loss', 'the singlelabel task', hint);
  }

  loss(outputs: tf.Tensor | tf.Tensor[], batch: Batch<SingleLabelItem>): LossTerms {
    const targets = tf.tensor1d(batch.items.map((i) => i.label), 'int32');
    return { total: this.criterion.compute(outputs as tf.Tensor2D, targets) as tf.Scalar, parts: {} };
  }

  async evaluate(): Promise<Metrics> {
    const c = this.classes.length;
    const scores: number[] = [];
    const labels: number[] = [];
    await forEachPrediction(this.model, this.val, (outputs) => tf.softmax(outputs as tf.Tensor2D), (probs, batch) => {
      for (const p of probs) scores.push(p);
      labels.push(...batch.items.map((i) => i.label));
    });
    const m = classificationMetrics({ data: scores, rows: labels.length, cols: c }, labels);
    return {
      top1: m.top1,
      ...(m.top5 !== undefined ? { top5: m.top5 } : {}),
      meanClassAccuracy: m.meanClassAccuracy,
      perClassAccuracy: Object.fromEntries(this.classes.map((name, k) => [name, m.perClassAccuracy[k]])),
      confusion: m.confusion,
    };
  }
}
