/**
 * COCO evaluation of a detector, shared by the FCOS and YOLOX adapters: the model's [B, L, C + 5]
 * rows on the validation split → decoded, class-wise NMS'd detections (postprocess.ts) → the 12
 * pycocotools-exact stats and AP per category.
 */
import { tf } from '../../core/tf';
import type { BatchSource, Metrics } from '../../core/engine/task';
import type { CocoGroundTruth } from '../../core/data/formats';
import { cocoEvaluate } from '../../core/metrics/coco-eval';
import { namedCocoStats, type CocoDetection } from '../../core/metrics/coco-types';
import { forEachPrediction } from '../common/predict';
import type { LocationGrid } from './locations';
import { EXTRA_COLUMNS } from './model';
import { detectImage, type ImageGeometry, type InferenceOptions, type RowDecoder } from './postprocess';

/** A validation item: which image it is and how it was transformed. */
export interface DetectionEvalItem {
  imageId: number;
  geometry: ImageGeometry;
}

/** What the COCO evaluation of a detector needs; shared by the FCOS and YOLOX adapters. */
export interface DetectorEvaluation {
  model: tf.LayersModel;
  val: BatchSource<DetectionEvalItem>;
  grid: LocationGrid;
  numClasses: number;
  groundTruth: CocoGroundTruth;
  options: InferenceOptions;
  decoder: RowDecoder;
}

/** @throws Error when the model's output is not [batch, grid.count, numClasses + 5]. */
export function checkDetectorOutput(model: tf.LayersModel, grid: LocationGrid, numClasses: number): void {
  const shape = model.outputs[0].shape;
  const columns = numClasses + EXTRA_COLUMNS;
  if (model.outputs.length !== 1 || shape.length !== 3 || shape[1] !== grid.count || shape[2] !== columns) {
    throw new Error(`detection: the model's output [${shape.join(', ')}] does not match [batch, ${grid.count} locations, ${columns}] of the configured levels and ${numClasses} classes`);
  }
}

/** The detections of the whole validation split as COCO results, and the ids of the images seen. */
export async function detectSplit(e: DetectorEvaluation): Promise<{ detections: CocoDetection[]; imageIds: number[] }> {
  const detections: CocoDetection[] = [];
  const imageIds: number[] = [];
  const perImage = e.grid.count * (e.numClasses + EXTRA_COLUMNS);
  const categoryIds = e.groundTruth.categories.map((c) => c.id);
  await forEachPrediction(e.model, e.val, (outputs) => outputs as tf.Tensor, (rows, batch) => {
    batch.items.forEach((item, i) => {
      imageIds.push(item.imageId);
      for (const d of detectImage(rows, i * perImage, e.grid, e.numClasses, item.geometry, e.options, e.decoder)) {
        detections.push({ image_id: item.imageId, category_id: categoryIds[d.label], bbox: d.box, score: d.score });
      }
    });
  });
  return { detections, imageIds };
}

/**
 * Evaluates a detector on its validation split and keeps the last evaluation's detections for
 * `asl-run eval`'s detections.json. Both heads' adapters delegate to one.
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
