/**
 * The detection task adapter, whatever the head: the head's loss terms on the model's
 * [B, L, C + extraColumns] output and its diagnostics; and the COCO evaluation of a detector: its
 * rows on the validation split → decoded, class-wise NMS'd detections (postprocess.ts) → the 12
 * pycocotools-exact stats and AP per category.
 */
import { tf } from '../../core/tf';
import type { Batch, BatchSource, LossTerms, Metrics, TaskAdapter } from '../../core/engine/task';
import type { CocoGroundTruth } from '../../core/data/formats';
import { cocoEvaluate } from '../../core/metrics/coco-eval';
import { namedCocoStats, type CocoDetection } from '../../core/metrics/coco-types';
import { forEachPrediction } from '../common/predict';
import type { LocationGrid } from './locations';
import { detectImage, type ImageGeometry, type InferenceOptions, type RowDecoder } from './postprocess';
import type { DetectionHead, HeadLoss } from './head';
import type { DetectionOptions } from './options';

/** A validation item: which image it is and how it was transformed. */
export interface DetectionEvalItem {
  imageId: number;
  geometry: ImageGeometry;
}

/** What the COCO evaluation of a detector needs. */
export interface DetectorEvaluation {
  model: tf.LayersModel;
  val: BatchSource<DetectionEvalItem>;
  grid: LocationGrid;
  numClasses: number;
  groundTruth: CocoGroundTruth;
  options: InferenceOptions;
  decoder: RowDecoder;
  /** The head's columns per row after the C class logits. */
  extraColumns: number;
}

/** @throws Error when the model's output is not [batch, grid.count, numClasses + extraColumns]. */
export function checkDetectorOutput(model: tf.LayersModel, grid: LocationGrid, numClasses: number, extraColumns: number): void {
  const shape = model.outputs[0].shape;
  const columns = numClasses + extraColumns;
  if (model.outputs.length !== 1 || shape.length !== 3 || shape[1] !== grid.count || shape[2] !== columns) {
    throw new Error(`detection: the model's output [${shape.join(', ')}] does not match [batch, ${grid.count} locations, ${columns}] of the configured levels and ${numClasses} classes`);
  }
}

/** The detections of the whole validation split as COCO results, and the ids of the images seen. */
export async function detectSplit(e: DetectorEvaluation): Promise<{ detections: CocoDetection[]; imageIds: number[] }> {
  const detections: CocoDetection[] = [];
  const imageIds: number[] = [];
  const perImage = e.grid.count * (e.numClasses + e.extraColumns);
  const categoryIds = e.groundTruth.categories.map((c) => c.id);
  await forEachPrediction(e.model, e.val, (outputs) => outputs as tf.Tensor, (rows, batch) => {
    batch.items.forEach((item, i) => {
      imageIds.push(item.imageId);
      for (const d of detectImage(rows, i * perImage, e.grid, e.numClasses, item.geometry, e.options, e.decoder, e.extraColumns)) {
        detections.push({ image_id: item.imageId, category_id: categoryIds[d.label], bbox: d.box, score: d.score });
      }
    });
  });
  return { detections, imageIds };
}

/**
 * Evaluates a detector on its validation split and keeps the last evaluation's detections for
 * `asl-run eval`'s detections.json.
 */
export class DetectorEvaluator {
  private lastDetections: CocoDetection[] = [];

  constructor(private readonly spec: DetectorEvaluation) {}

  /** COCO stats of the model's detections on the validation split, with AP per category name. */
  async evaluate(): Promise<Metrics> {
    const { groundTruth } = this.spec;
    const { detections, imageIds } = await detectSplit(this.spec);
    this.lastDetections = detections;
    const { stats, perCategoryAP } = cocoEvaluate(groundTruth, detections, { imgIds: imageIds });
    const nameOf = new Map(groundTruth.categories.map((c) => [String(c.id), c.name]));
    return { ...namedCocoStats(stats), perCategoryAP: Object.fromEntries(Object.entries(perCategoryAP).map(([id, ap]) => [nameOf.get(id) ?? id, ap])) };
  }

  /** `detections.json`: the last evaluation's detections as a COCO results list (what pycocotools' loadRes reads). */
  files(): Record<string, unknown> {
    return { 'detections.json': this.lastDetections };
  }
}

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

  /** The head's reads of the predictions before the tape, where the backend reads only asynchronously. */
  async prepareStep(batch: Batch<unknown>, forward: () => tf.Tensor | tf.Tensor[]): Promise<void> {
    if (!this.headLoss.prepare) return;
    const outputs = forward() as tf.Tensor3D;
    try {
      await this.headLoss.prepare(outputs, batch.items);
    } finally {
      outputs.dispose();
    }
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
