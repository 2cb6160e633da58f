/**
 * Box overlap as pycocotools computes it for bbox evaluation (common/maskApi.c, bbIou), with the
 * same float64 operations in the same order: boxes are [x, y, w, h]; a pair that does not overlap
 * with positive width and height scores 0; against a crowd ground truth the overlap is
 * intersection / detection area (how much of the detection lies inside the crowd region),
 * otherwise intersection / union.
 */

/**
 * @param dts [D] detection boxes [x, y, w, h]
 * @param gts [G] ground-truth boxes [x, y, w, h]
 * @param crowd [G] true for a crowd ground truth
 * @returns [D * G] row-major: iou[d * G + g]
 */
export function bboxIou(
  dts: ReadonlyArray<readonly number[]>,
  gts: ReadonlyArray<readonly number[]>,
  crowd: readonly boolean[],
): Float64Array {
  const nd = dts.length;
  const ng = gts.length;
  const iou = new Float64Array(nd * ng);
  for (let g = 0; g < ng; g++) {
    const G = gts[g];
    const gtArea = G[2] * G[3];
    for (let d = 0; d < nd; d++) {
      const D = dts[d];
      const w = Math.min(D[2] + D[0], G[2] + G[0]) - Math.max(D[0], G[0]);
      if (w <= 0) continue;
      const h = Math.min(D[3] + D[1], G[3] + G[1]) - Math.max(D[1], G[1]);
      if (h <= 0) continue;
      const inter = w * h;
      const dtArea = D[2] * D[3];
      iou[d * ng + g] = inter / (crowd[g] ? dtArea : dtArea + gtArea - inter);
    }
  }
  return iou;
}
