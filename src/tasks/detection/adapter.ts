/**
 * The detection task adapter, whatever the head: the head's loss terms on the model's
 * [B, L, C + extraColumns] output and its diagnostics, and COCO evaluation of the detections its
 * decoder gives against the reader's ground truth.
 */
import type { tf } from '../../core/tf';
import type { Batch, BatchSource, LossTerms, Metrics, TaskAdapter } from '../../core/engine/task';
import type { CocoGroundTruth } from '../../core/data/formats';
import type { LocationGrid } from './locations';
import type { DetectionHead, HeadLoss } from './head';
import type { DetectionOptions } from './options';
import { checkDetectorOutput, DetectorEvaluator, type DetectionEvalItem } from './evaluation';

export interface DetectionAdapterSpec {
  head: DetectionHead;
  model: tf.LayersModel;
  /** The head's loss of this run (head.createLoss's). */
  headLoss: HeadLoss;
  classes: string[];
  grid: LocationGrid;
  options: DetectionOptions;
  val: BatchSource<DetectionEvalItem>;
  groundTruth: CocoGroundTruth;
}

export class DetectionAdapter implements TaskAdapter<unknown> {
  readonly name = 'detection';
  readonly primaryMetric = 'AP';
  readonly model: tf.LayersModel;
  readonly classes: string[];
  /** The run's head, e.g. for a caller that reports it. */
  readonly head: DetectionHead;
  private readonly headLoss: HeadLoss;
  private readonly evaluator: DetectorEvaluator;

  constructor(spec: DetectionAdapterSpec) {
    const { head, model, grid, classes } = spec;
    checkDetectorOutput(model, grid, classes.length, head.extraColumns);
    this.head = head;
    this.model = model;
    this.classes = classes;
    this.headLoss = spec.headLoss;
    this.evaluator = new DetectorEvaluator({
      model, val: spec.val, grid, numClasses: classes.length, groundTruth: spec.groundTruth, options: spec.options, decoder: head.decoder, extraColumns: head.extraColumns,
    });
  }

  /** outputs [B, L, C + extraColumns] → the head's loss terms. */
  loss(outputs: tf.Tensor | tf.Tensor[], batch: Batch<unknown>): LossTerms {
    return this.headLoss.loss(outputs as tf.Tensor3D, batch.items);
  }

  /** The head's diagnostics of the step (none when it has none). */
  diagnostics(outputs: tf.Tensor | tf.Tensor[], batch: Batch<unknown>): Record<string, number> {
    return this.headLoss.diagnostics?.(outputs as tf.Tensor3D, batch.items) ?? {};
  }

  evaluate(): Promise<Metrics> {
    return this.evaluator.evaluate();
  }

  evaluationFiles(): Record<string, unknown> {
    return this.evaluator.files();
  }
}
