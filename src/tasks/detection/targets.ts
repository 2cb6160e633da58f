/**
 * FCOS target assignment on plain typed arrays (run by the loader's target function, outside the
 * gradient tape). For every location of the grid and every regular (non-ignored) box:
 * - the location must lie strictly inside the box (all ltrb distances > 0);
 * - with center sampling (radius r > 0), also strictly inside the box's centre region: the square
 *   of half-side r · stride around the box centre, clipped to the box (FCOS's center sampling);
 * - the largest ltrb distance must lie in the location's level range [minSize, maxSize].
 * Of the boxes that qualify, the one of smallest area wins (ties: the earlier box). Locations
 * inside an ignored box (crowd, difficult) that no regular box claims are `IGNORED`: neither
 * positive nor negative.
 */
import type { BoxXYWH } from '../../core/data/records';
import type { LocationGrid } from './locations';
import { centerness, encodeBox } from './box-coding';

/** Label of a negative (background) location. */
export const NEGATIVE = -1;
/** Label of a location that takes no part in the classification loss. */
export const IGNORED = -2;

export interface FcosTargets {
  /** [L] class index of the assigned box, NEGATIVE or IGNORED. */
  labels: Int32Array;
  /** [L * 4] ltrb / stride of the assigned box (0 where not positive). */
  ltrb: Float32Array;
  /** [L] centerness of the assigned box at the location (0 where not positive). */
  centerness: Float32Array;
  numPositives: number;
}

export interface BoxesToAssign {
  /** Boxes in network-input pixels [x, y, w, h]. */
  boxes: readonly BoxXYWH[];
  /** Class index per box. */
  labels: readonly number[];
  /** true for boxes that must neither train a positive nor a negative. */
  ignore: readonly boolean[];
}

/** @param radius center-sampling radius in strides (0 disables center sampling). */
export function assignTargets(grid: LocationGrid, input: BoxesToAssign, radius: number): FcosTargets {
  const { boxes, labels, ignore } = input;
  if (labels.length !== boxes.length || ignore.length !== boxes.length) {
    throw new Error(`assignTargets: ${boxes.length} boxes but ${labels.length} labels and ${ignore.length} ignore flags`);
  }
  const L = grid.count;
  const out: FcosTargets = { labels: new Int32Array(L).fill(NEGATIVE), ltrb: new Float32Array(L * 4), centerness: new Float32Array(L), numPositives: 0 };
  const bestArea = new Float64Array(L).fill(Infinity);
  const bestBox = new Int32Array(L).fill(-1);
  boxes.forEach(([bx, by, bw, bh], b) => {
    if (!(bw > 0 && bh > 0)) return;
    const [x1, y1, x2, y2] = [bx, by, bx + bw, by + bh];
    const area = bw * bh;
    const cx = bx + bw / 2;
    const cy = by + bh / 2;
    for (let k = 0; k < L; k++) {
      const x = grid.x[k];
      const y = grid.y[k];
      if (!(x > x1 && x < x2 && y > y1 && y < y2)) continue;
      if (ignore[b]) {
        if (bestBox[k] < 0) bestBox[k] = -2;
        continue;
      }
      if (radius > 0) {
        const half = radius * grid.stride[k];
        const inCentre = x > Math.max(x1, cx - half) && x < Math.min(x2, cx + half) && y > Math.max(y1, cy - half) && y < Math.min(y2, cy + half);
        if (!inCentre) continue;
      }
      const level = grid.levels[grid.level[k]];
      const reach = Math.max(x - x1, y - y1, x2 - x, y2 - y);
      if (reach < level.minSize || reach > level.maxSize) continue;
      if (area < bestArea[k]) {
        bestArea[k] = area;
        bestBox[k] = b;
      }
    }
  });
  for (let k = 0; k < L; k++) {
    const b = bestBox[k];
    if (b === -2) out.labels[k] = IGNORED;
    if (b < 0) continue;
    const [bx, by, bw, bh] = boxes[b];
    encodeBox(bx, by, bx + bw, by + bh, grid.x[k], grid.y[k], grid.stride[k], out.ltrb, 4 * k);
    out.labels[k] = labels[b];
    out.centerness[k] = centerness(out.ltrb[4 * k], out.ltrb[4 * k + 1], out.ltrb[4 * k + 2], out.ltrb[4 * k + 3]);
    out.numPositives++;
  }
  return out;
}
