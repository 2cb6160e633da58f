/**
 * SimOTA (YOLOX's simplified optimal-transport assignment, Ge et al. 2021, as YOLOX's
 * `get_assignments` with the in-box-or-centre candidates of its `get_in_boxes_info`):
 * 1. candidates: locations strictly inside any box or within `centerRadius` (2.5) strides of any
 *    box centre (square region);
 * 2. cost[g, m] = cls + 3·(−log(IoU + 1e-8)) + 1e5·(m not both inside box g and its centre region),
 *    where cls = Σ_c BCE(sqrt(σ(cls_c)·σ(obj)), one-hot(label_g)_c) (logs clamped at −100, as torch),
 *    IoU = of box g with the candidate's predicted box;
 * 3. dynamic k per box: max(1, floor(sum of its top-10 candidate IoUs)); the box takes its k
 *    lowest-cost candidates (ties: the earlier location);
 * 4. a location taken by several boxes goes to the box of lowest cost at it (over all boxes, as
 *    YOLOX's argmin; ties: the earlier box).
 */
import { NEGATIVE } from '../../targets';
import { cornerIou } from '../../nms';
import type { Assigner, AssignerInput } from './assigner';

/** YOLOX: candidates within 2.5 strides of a box centre. */
export const SIMOTA_CENTER_RADIUS = 2.5;
/** YOLOX: dynamic k from the top 10 IoUs. */
export const SIMOTA_TOP_IOUS = 10;
/** YOLOX: weight of the IoU cost. */
export const SIMOTA_IOU_WEIGHT = 3;
/** YOLOX: cost of a candidate not both in the box and in its centre region. */
const OUTSIDE_COST = 1e5;

/** torch's binary_cross_entropy clamps its logs at −100. */
const clampedLog = (p: number): number => Math.max(Math.log(p), -100);

export class SimOtaAssigner implements Assigner {
  readonly name = 'simota';

  constructor(private readonly centerRadius = SIMOTA_CENTER_RADIUS) {
    if (!(centerRadius > 0)) throw new Error(`simota assigner: centerRadius must be > 0 strides, got ${centerRadius}`);
  }

  assign(input: AssignerInput): Int32Array {
    const { grid, boxes, labels, numClasses, predictions } = input;
    const L = grid.count;
    const G = boxes.length;
    const assigned = new Int32Array(L).fill(NEGATIVE);
    if (G === 0) return assigned;
    if (labels.length !== G) throw new Error(`simota assigner: ${G} boxes but ${labels.length} labels`);
    if (predictions.boxes.length !== 4 * L || predictions.probabilities.length !== L * numClasses) {
      throw new Error(`simota assigner: predictions for ${predictions.boxes.length / 4} locations, the grid has ${L}`);
    }
    const corners = new Float32Array(G * 4);
    boxes.forEach(([x, y, w, h], g) => corners.set([x, y, x + w, y + h], 4 * g));

    // Geometry: candidates are the locations in some box or centre region; inBoth[g][k] marks both.
    const candidates: number[] = [];
    const inBoth = Array.from({ length: G }, () => new Uint8Array(L));
    for (let k = 0; k < L; k++) {
      const x = grid.x[k];
      const y = grid.y[k];
      const r = this.centerRadius * grid.stride[k];
      let any = false;
      for (let g = 0; g < G; g++) {
        const x1 = corners[4 * g];
        const y1 = corners[4 * g + 1];
        const x2 = corners[4 * g + 2];
        const y2 = corners[4 * g + 3];
        const cx = (x1 + x2) / 2;
        const cy = (y1 + y2) / 2;
        const inBox = x > x1 && x < x2 && y > y1 && y < y2;
        const inCentre = x > cx - r && x < cx + r && y > cy - r && y < cy + r;
        if (inBox || inCentre) any = true;
        if (inBox && inCentre) inBoth[g][k] = 1;
      }
      if (any) candidates.push(k);
    }
    const M = candidates.length;
    if (M === 0) return assigned;

    // Pairwise IoU and cost, [G][M].
    const iou = Array.from({ length: G }, () => new Float64Array(M));
    const cost = Array.from({ length: G }, () => new Float64Array(M));
    candidates.forEach((k, m) => {
      // Σ_c −log(1 − sqrt(p_c)) once per location; the box's class swaps its term.
      let negatives = 0;
      for (let c = 0; c < numClasses; c++) negatives -= clampedLog(1 - Math.sqrt(predictions.probabilities[k * numClasses + c]));
      for (let g = 0; g < G; g++) {
        const p = Math.sqrt(predictions.probabilities[k * numClasses + labels[g]]);
        const cls = negatives + clampedLog(1 - p) - clampedLog(p);
        iou[g][m] = cornerIou(corners, 4 * g, predictions.boxes, 4 * k);
        cost[g][m] = cls + SIMOTA_IOU_WEIGHT * -Math.log(iou[g][m] + 1e-8) + (inBoth[g][k] ? 0 : OUTSIDE_COST);
      }
    });

    // Dynamic-k matching.
    const takenBy: number[][] = Array.from({ length: M }, () => []);
    const topIous = Math.min(SIMOTA_TOP_IOUS, M);
    const order = Array.from({ length: M }, (_, m) => m);
    for (let g = 0; g < G; g++) {
      const ious = Array.from(iou[g]).sort((a, b) => b - a);
      let sum = 0;
      for (let i = 0; i < topIous; i++) sum += ious[i];
      const dynamicK = Math.max(1, Math.floor(sum));
      const cheapest = [...order].sort((a, b) => cost[g][a] - cost[g][b] || a - b);
      for (let i = 0; i < dynamicK; i++) takenBy[cheapest[i]].push(g);
    }
    candidates.forEach((k, m) => {
      const boxesHere = takenBy[m];
      if (boxesHere.length === 0) return;
      if (boxesHere.length === 1) {
        assigned[k] = boxesHere[0];
        return;
      }
      let best = 0;
      for (let g = 1; g < G; g++) if (cost[g][m] < cost[best][m]) best = g;
      assigned[k] = best;
    });
    return assigned;
  }
}
