/**
 * Class-wise greedy non-maximum suppression on typed arrays, as torchvision's batched_nms: within
 * each class, in descending score order, a box is dropped when its IoU with a kept box exceeds
 * the threshold (strictly; tf.image.nonMaxSuppression drops at IoU >= threshold and ignores
 * classes). Boxes are corners [x1, y1, x2, y2].
 */

/** IoU of the corner boxes a[ai..ai+3] and b[bi..bi+3]; 0 when they do not overlap or both are empty. */
export function cornerIou(a: ArrayLike<number>, ai: number, b: ArrayLike<number>, bi: number): number {
  const iw = Math.min(a[ai + 2], b[bi + 2]) - Math.max(a[ai], b[bi]);
  const ih = Math.min(a[ai + 3], b[bi + 3]) - Math.max(a[ai + 1], b[bi + 1]);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  return inter / ((a[ai + 2] - a[ai]) * (a[ai + 3] - a[ai + 1]) + (b[bi + 2] - b[bi]) * (b[bi + 3] - b[bi + 1]) - inter);
}

/**
 * @param boxes  [N * 4] corners
 * @param scores [N]
 * @param labels [N] class per box
 * @param maxKept stop after this many kept boxes (the per-class results do not depend on each
 *   other, so walking all classes in one score order and stopping early keeps the top maxKept)
 * @returns indices of the kept boxes, by descending score (ties: lower index first)
 */
export function classwiseNms(boxes: Float32Array, scores: ArrayLike<number>, labels: ArrayLike<number>, iouThreshold: number, maxKept = Infinity): number[] {
  const n = scores.length;
  if (boxes.length !== 4 * n || labels.length !== n) throw new Error(`classwiseNms: ${n} scores need ${4 * n} box values and ${n} labels, got ${boxes.length} and ${labels.length}`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
  const keptByClass = new Map<number, number[]>();
  const kept: number[] = [];
  for (const i of order) {
    if (kept.length >= maxKept) break;
    const same = keptByClass.get(labels[i]) ?? [];
    if (same.some((j) => cornerIou(boxes, 4 * i, boxes, 4 * j) > iouThreshold)) continue;
    same.push(i);
    keptByClass.set(labels[i], same);
    kept.push(i);
  }
  return kept;
}
