/**
 * From the model's output rows of one image to its detections in original-image pixels, as
 * torchvision's FCOS postprocess: per level, candidates (location, class) scoring above the
 * threshold with the head's score (its RowDecoder's: FCOS sqrt(σ(class logit) · σ(centerness logit))), the top k of them; boxes
 * decoded, mapped back through the inverse of the pipeline's affine map and clipped to the image;
 * then class-wise NMS and the best `maxDetections`.
 */
import type { BoxXYWH } from '../../core/data/records';
import { invertAffine, mapBox, type Affine } from '../../core/data/pipeline/geometry';
import type { LocationGrid } from './locations';
import { classwiseNms } from './nms';
import type { DetectionOptions } from './options';

export interface Detection {
  /** [x, y, w, h] in original-image pixels. */
  box: BoxXYWH;
  /** Class index. */
  label: number;
  score: number;
}

export type InferenceOptions = Pick<DetectionOptions, 'scoreThreshold' | 'topKPerLevel' | 'nmsThreshold' | 'maxDetections'>;

/** Where the network input came from: the transform to undo and the image to clip to. */
export interface ImageGeometry {
  affine: Affine;
  originalWidth: number;
  originalHeight: number;
}

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** How a head's output row (C class logits, then its extra columns) becomes class scores and a box. */
export interface RowDecoder {
  /** The C class scores of the row starting at `row`, written into scores[0..C-1]. */
  scores(rows: ArrayLike<number>, row: number, numClasses: number, scores: Float64Array): void;
  /** The row's box at grid location k as corners [x1, y1, x2, y2] in network pixels, written into out[0..3]. */
  corners(rows: ArrayLike<number>, row: number, numClasses: number, grid: LocationGrid, k: number, out: Float32Array): void;
}

/**
 * @param rows the model output, [B, L, C + extraColumns] flattened; this image's rows start at `offset`
 * @param decoder the head's row decoding
 * @param extraColumns the head's columns per row after the C class logits
 */
export function detectImage(
  rows: ArrayLike<number>, offset: number, grid: LocationGrid, numClasses: number, geometry: ImageGeometry, options: InferenceOptions, decoder: RowDecoder, extraColumns: number,
): Detection[] {
  const columns = numClasses + extraColumns;
  if (rows.length < offset + grid.count * columns) throw new Error(`detectImage: output has ${rows.length} values, expected at least ${offset + grid.count * columns}`);
  const candidates: { k: number; label: number; score: number }[] = [];
  const scores = new Float64Array(numClasses);
  for (const level of grid.levels) {
    const found: { k: number; label: number; score: number }[] = [];
    for (let k = level.start; k < level.start + level.height * level.width; k++) {
      decoder.scores(rows, offset + k * columns, numClasses, scores);
      for (let c = 0; c < numClasses; c++) {
        if (scores[c] > options.scoreThreshold) found.push({ k, label: c, score: scores[c] });
      }
    }
    found.sort((a, b) => b.score - a.score || a.k - b.k || a.label - b.label);
    candidates.push(...found.slice(0, options.topKPerLevel));
  }
  const back = invertAffine(geometry.affine);
  const corners = new Float32Array(4);
  const boxes: BoxXYWH[] = [];
  const kept: typeof candidates = [];
  for (const cand of candidates) {
    decoder.corners(rows, offset + cand.k * columns, numClasses, grid, cand.k, corners);
    const [x, y, w, h] = mapBox([corners[0], corners[1], corners[2] - corners[0], corners[3] - corners[1]], back);
    const x1 = Math.max(0, x);
    const y1 = Math.max(0, y);
    const x2 = Math.min(geometry.originalWidth, x + w);
    const y2 = Math.min(geometry.originalHeight, y + h);
    if (!(x2 > x1 && y2 > y1)) continue;
    boxes.push([x1, y1, x2 - x1, y2 - y1]);
    kept.push(cand);
  }
  const flat = new Float32Array(boxes.length * 4);
  boxes.forEach(([x, y, w, h], i) => flat.set([x, y, x + w, y + h], 4 * i));
  const survivors = classwiseNms(flat, kept.map((c) => c.score), kept.map((c) => c.label), options.nmsThreshold, options.maxDetections);
  return survivors.map((i) => ({ box: boxes[i], label: kept[i].label, score: kept[i].score }));
}
