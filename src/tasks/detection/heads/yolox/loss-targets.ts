/**
 * The YOLOX loss targets of a batch, built on host arrays from the predictions (read once per
 * step; constants for the gradient) and the assigner's matches, over N = B·L locations:
 * - objectness: 1 on foreground, 0 on every other location (weight 0 on locations strictly inside
 *   an ignored box that no regular box claims: they are neither foreground nor background);
 * - classification (foreground rows only): one-hot × IoU of the row's predicted box with its box
 *   (`iou`, YOLOX) or one-hot (`hard`);
 * - box: the matched box's corners.
 */
import type { BoxesToAssign } from '../../targets';
import type { LocationGrid } from '../../locations';
import { YOLOX_EXTRA_COLUMNS } from './head';
import type { YoloxOptions } from './index';
import type { Assigner } from './assigner';
import { decodePredictions } from './decode';
import { cornerIou } from '../../nms';

export interface YoloxLossTargets {
  /** [N * C] class targets, zero outside foreground rows. */
  classes: Float32Array;
  /** [N] 1 on foreground locations. */
  foreground: Float32Array;
  /** [N] weight of each location in the objectness loss (0: inside an ignored box). */
  objWeights: Float32Array;
  /** [N * 4] corners [x1, y1, x2, y2] of the matched box (0 off the foreground). */
  boxes: Float32Array;
  numForeground: number;
}

/**
 * @param items one per image: its boxes in network pixels, labels and ignore flags (after augmentation)
 * @param rows  the model output [B, L, C + 5] flattened
 */
export function yoloxLossTargets(
  items: readonly BoxesToAssign[], rows: ArrayLike<number>, grid: LocationGrid, numClasses: number,
  assigner: Assigner, clsTarget: YoloxOptions['clsTarget'],
): YoloxLossTargets {
  const L = grid.count;
  const n = items.length * L;
  if (rows.length !== n * (numClasses + YOLOX_EXTRA_COLUMNS)) throw new Error(`yoloxLossTargets: output has ${rows.length} values, ${items.length} images need ${n * (numClasses + YOLOX_EXTRA_COLUMNS)}`);
  const t: YoloxLossTargets = {
    classes: new Float32Array(n * numClasses), foreground: new Float32Array(n), objWeights: new Float32Array(n).fill(1), boxes: new Float32Array(n * 4), numForeground: 0,
  };
  items.forEach((item, b) => {
    const regular = item.boxes.map((_, i) => i).filter((i) => !item.ignore[i] && item.boxes[i][2] > 0 && item.boxes[i][3] > 0);
    const labels = regular.map((i) => item.labels[i]);
    const bad = labels.findIndex((label) => !(Number.isInteger(label) && label >= 0 && label < numClasses));
    if (bad >= 0) throw new Error(`yoloxLossTargets: class ${labels[bad]} in image ${b} of the batch, but the model has ${numClasses} classes`);
    const predictions = decodePredictions(rows, b * L * (numClasses + YOLOX_EXTRA_COLUMNS), grid, numClasses);
    const boxes = regular.map((i) => item.boxes[i]);
    const matched = assigner.assign({ grid, boxes, labels, numClasses, predictions });
    const corners = new Float32Array(4);
    for (let k = 0; k < L; k++) {
      const row = b * L + k;
      const g = matched[k];
      if (g < 0) continue;
      const [x, y, w, h] = boxes[g];
      corners.set([x, y, x + w, y + h]);
      t.boxes.set(corners, 4 * row);
      t.foreground[row] = 1;
      t.classes[row * numClasses + labels[g]] = clsTarget === 'iou' ? cornerIou(predictions.boxes, 4 * k, corners, 0) : 1;
      t.numForeground++;
    }
    item.boxes.forEach(([x, y, w, h], i) => {
      if (!item.ignore[i]) return;
      for (let k = 0; k < L; k++) {
        const inside = grid.x[k] > x && grid.x[k] < x + w && grid.y[k] > y && grid.y[k] < y + h;
        if (inside && matched[k] < 0) t.objWeights[b * L + k] = 0;
      }
    });
  });
  return t;
}
