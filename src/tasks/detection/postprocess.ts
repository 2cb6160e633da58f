/**
 * From the model's output rows of one image to its detections in original-image pixels, as
 * torchvision's FCOS postprocess: per level, candidates (location, class) scoring above the
 * threshold with score = sqrt(σ(class logit) · σ(centerness logit)), the top k of them; boxes
 * decoded, mapped back through the inverse of the pipeline's affine map and clipped to the image;
 * then class-wise NMS and the best `maxDetections`.
 */
import type { BoxXYWH } from '../../core/data/records';
import { invertAffine, mapBox, type Affine } from '../../core/data/pipeline/geometry';
import type { LocationGrid } from './locations';
import { decodeBox } from './box-coding';
import { classwiseNms } from './nms';
import { EXTRA_COLUMNS } from './model';
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

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * @param rows the model output, [B, L, C + 5] flattened; this image's rows start at `offset`
 */
export function detectImage(rows: ArrayLike<number>, offset: number, grid: LocationGrid, numClasses: number, geometry: ImageGeometry, options: InferenceOptions): Detection[] {
  const columns = numClasses + EXTRA_COLUMNS;
  if (rows.length < offset + grid.count * columns) throw new Error(`detectImage: output has ${rows.length} values, expected at least ${offset + grid.count * columns}`);
  const candidates: { k: number; label: number; score: number }[] = [];
  for (const level of grid.levels) {
    const found: { k: number; label: number; score: number }[] = [];
    for (let k = level.start; k < level.start + level.height * level.width; k++) {
      const row = offset + k * columns;
      const ctr = sigmoid(rows[row + numClasses + 4]);
      for (let c = 0; c < numClasses; c++) {
        const score = Math.sqrt(sigmoid(rows[row + c]) * ctr);
        if (score > options.scoreThreshold) found.push({ k, label: c, score });
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
    decodeBox(rows, offset + cand.k * columns + numClasses, grid.x[cand.k], grid.y[cand.k], grid.stride[cand.k], corners, 0);
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
