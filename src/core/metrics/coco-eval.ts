/**
 * COCO box detection metrics: a float64 port of pycocotools `COCOeval(gt, dt, 'bbox')`
 * evaluate() + accumulate() + summarize() (cocoapi PythonAPI/pycocotools/cocoeval.py) that
 * reproduces its 12 stats and per-category AP to the last bit. What the port keeps:
 * - detections of an image and category ranked by score with a stable sort, only the first 100
 *   kept (maxDets[-1]); ground truths reordered non-ignored first, stably;
 * - greedy matching per IoU threshold t: each detection in rank order takes the unmatched gt with
 *   the highest IoU >= min(t, 1 - 1e-10), preferring any regular gt to an ignored one; crowds can
 *   be matched many times; matches to ignored gts, and unmatched detections whose w*h area is out
 *   of the range, are ignored;
 * - per (category, area range, maxDets): detections of all images (ascending image id, each
 *   image's first maxDets) stably sorted by score; precision tp / (tp + fp + 2^-52), its monotone
 *   envelope read at the first rank whose recall reaches each recall threshold (searchsorted
 *   left), 0 beyond the last; -1 where the range has no non-ignored gt;
 * - means over the entries > -1 with numpy's pairwise summation, -1 when there are none.
 * Work is done one category at a time, indexed by (category, image) like pycocotools' _gts/_dts.
 */
import { bboxIou } from './box-iou';
import { CocoCell, CocoIndex, DtRecord, indexCoco } from './coco-index';
import {
  COCO_AREA_RANGES,
  COCO_IOU_THRESHOLDS,
  COCO_MAX_DETS,
  COCO_RECALL_THRESHOLDS,
  CocoDataset,
  CocoDetection,
  CocoEvalOptions,
  CocoEvalResult,
} from './coco-types';
import { numpyMean } from './numpy-sum';

const T = COCO_IOU_THRESHOLDS.length;
const R = COCO_RECALL_THRESHOLDS.length;
const A = COCO_AREA_RANGES.length;
const M = COCO_MAX_DETS.length;
const MAX_DET = COCO_MAX_DETS[M - 1];
/** np.spacing(1), added to tp + fp in the precision denominator. */
const PRECISION_EPS = 2.220446049250313e-16;

/** The kept detections of one category over all images, with their matches per area range. */
interface CategoryMatches {
  /** [P] scores, concatenated in image order, each image's in rank order. */
  scores: Float64Array;
  /** [P] rank of each detection within its image (0 = highest score). */
  rankInImage: Int32Array;
  /** [A] of [T * P]: 1 where detection p is matched at threshold t (index t * P + p). */
  matched: Uint8Array[];
  /** [A] of [T * P]: 1 where detection p is ignored at threshold t. */
  ignored: Uint8Array[];
  /** [A] number of non-ignored ground truths. */
  positives: number[];
}

/** Stable sort of detections by descending score, truncated to the first `limit`. */
function rankDetections(dts: DtRecord[], limit: number): DtRecord[] {
  return dts
    .map((d, i) => ({ d, i }))
    .sort((a, b) => b.d.score - a.d.score || a.i - b.i)
    .slice(0, limit)
    .map((x) => x.d);
}

/**
 * pycocotools evaluateImg for one cell and one area range: writes the matched / ignored flags of
 * its detections at positions [start, start + D) and returns the number of non-ignored gts.
 * @param iou [D * G] IoU of ranked detection d with gt g (gts in input order)
 */
function matchCell(
  cell: CocoCell,
  dts: DtRecord[],
  iou: Float64Array,
  area: { lo: number; hi: number },
  start: number,
  P: number,
  matched: Uint8Array,
  ignored: Uint8Array,
): number {
  const G = cell.gts.length;
  const D = dts.length;
  const outOfRange = (a: number) => a < area.lo || a > area.hi;
  if (G > 0 && D > 0) matchToGts(cell, iou, outOfRange, start, P, matched, ignored);
  for (let d = 0; d < D; d++) {
    if (!outOfRange(dts[d].area)) continue;
    for (let t = 0; t < T; t++) if (!matched[t * P + start + d]) ignored[t * P + start + d] = 1;
  }
  let positives = 0;
  for (const g of cell.gts) if (!(g.crowd || outOfRange(g.area))) positives += 1;
  return positives;
}

/**
 * The greedy matching of matchCell, for a cell with both gts and detections.
 * @param iou [D * G] IoU of ranked detection d with gt g (gts in input order)
 */
function matchToGts(
  cell: CocoCell,
  iou: Float64Array,
  outOfRange: (area: number) => boolean,
  start: number,
  P: number,
  matched: Uint8Array,
  ignored: Uint8Array,
): void {
  const G = cell.gts.length;
  const D = iou.length / G;
  const gtIgnored = cell.gts.map((g) => g.crowd || outOfRange(g.area));
  // Non-ignored gts first, each group in input order.
  const order = [...cell.gts.keys()].sort((x, y) => Number(gtIgnored[x]) - Number(gtIgnored[y]) || x - y);
  const sortedIgnored = order.map((g) => gtIgnored[g]);
  const sortedCrowd = order.map((g) => cell.gts[g].crowd);
  const gtTaken = new Uint8Array(T * G);
  for (let t = 0; t < T; t++) {
    for (let d = 0; d < D; d++) {
      let best = Math.min(COCO_IOU_THRESHOLDS[t], 1 - 1e-10);
      let m = -1;
      for (let j = 0; j < G; j++) {
        if (gtTaken[t * G + j] && !sortedCrowd[j]) continue;
        // Already matched to a regular gt and only ignored ones remain.
        if (m > -1 && !sortedIgnored[m] && sortedIgnored[j]) break;
        const v = iou[d * G + order[j]];
        if (v < best) continue;
        best = v;
        m = j;
      }
      if (m === -1) continue;
      matched[t * P + start + d] = 1;
      ignored[t * P + start + d] = sortedIgnored[m] ? 1 : 0;
      gtTaken[t * G + m] = 1;
    }
  }
}

/** evaluate() for category k over all images; undefined when no image has a gt or a dt of it. */
function matchCategory(index: CocoIndex, k: number): CategoryMatches | undefined {
  const I = index.imgIds.length;
  const cells: { cell: CocoCell; dts: DtRecord[]; iou: Float64Array; start: number }[] = [];
  let P = 0;
  for (let i = 0; i < I; i++) {
    const cell = index.cells[k * I + i];
    if (cell === undefined) continue;
    const dts = rankDetections(cell.dts, MAX_DET);
    const iou = bboxIou(
      dts.map((d) => d.box),
      cell.gts.map((g) => g.box),
      cell.gts.map((g) => g.crowd),
    );
    cells.push({ cell, dts, iou, start: P });
    P += dts.length;
  }
  if (cells.length === 0) return undefined;

  const scores = new Float64Array(P);
  const rankInImage = new Int32Array(P);
  for (const c of cells) {
    c.dts.forEach((d, r) => {
      scores[c.start + r] = d.score;
      rankInImage[c.start + r] = r;
    });
  }
  const matched = COCO_AREA_RANGES.map(() => new Uint8Array(T * P));
  const ignored = COCO_AREA_RANGES.map(() => new Uint8Array(T * P));
  const positives = COCO_AREA_RANGES.map((area, a) =>
    cells.reduce((sum, c) => sum + matchCell(c.cell, c.dts, c.iou, area, c.start, P, matched[a], ignored[a]), 0),
  );
  return { scores, rankInImage, matched, ignored, positives };
}

/** Flat index into precision [T, R, K, A, M]. */
function precisionAt(t: number, r: number, k: number, a: number, m: number, K: number): number {
  return (((t * R + r) * K + k) * A + a) * M + m;
}

/** Flat index into recall [T, K, A, M]. */
function recallAt(t: number, k: number, a: number, m: number, K: number): number {
  return ((t * K + k) * A + a) * M + m;
}

/** accumulate() for category k: fills its entries of precision and recall. */
function accumulateCategory(cm: CategoryMatches, k: number, K: number, precision: Float64Array, recall: Float64Array): void {
  const P = cm.scores.length;
  // One stable sort by score serves every maxDets: restricting it to the detections of rank
  // < maxDets gives the stable sort of that subset.
  const byScore = Int32Array.from({ length: P }, (_, p) => p).sort((x, y) => cm.scores[y] - cm.scores[x] || x - y);
  COCO_MAX_DETS.forEach((maxDet, m) => {
    const kept = byScore.filter((p) => cm.rankInImage[p] < maxDet);
    const nd = kept.length;
    const rc = new Float64Array(nd);
    const pr = new Float64Array(nd);
    for (let a = 0; a < A; a++) {
      const npig = cm.positives[a];
      if (npig === 0) continue;
      const matched = cm.matched[a];
      const ignored = cm.ignored[a];
      for (let t = 0; t < T; t++) {
        let tp = 0;
        let fp = 0;
        for (let j = 0; j < nd; j++) {
          const q = t * P + kept[j];
          if (!ignored[q]) {
            if (matched[q]) tp += 1;
            else fp += 1;
          }
          rc[j] = tp / npig;
          pr[j] = tp / (fp + tp + PRECISION_EPS);
        }
        recall[recallAt(t, k, a, m, K)] = nd > 0 ? rc[nd - 1] : 0;
        for (let j = nd - 1; j > 0; j--) if (pr[j] > pr[j - 1]) pr[j - 1] = pr[j];
        let j = 0;
        for (let r = 0; r < R; r++) {
          while (j < nd && rc[j] < COCO_RECALL_THRESHOLDS[r]) j++;
          precision[precisionAt(t, r, k, a, m, K)] = j < nd ? pr[j] : 0;
        }
      }
    }
  });
}

/** np.mean of the entries > -1, or -1 when there are none (summarize's rule). */
function meanOfValid(values: number[]): number {
  const valid = values.filter((v) => v > -1);
  return valid.length === 0 ? -1 : numpyMean(valid);
}

/** One line of summarize(): AP (precision) or AR (recall) at one setting, entries in C order. */
function summarizeOne(
  precision: Float64Array,
  recall: Float64Array,
  K: number,
  ap: boolean,
  setting: { iouThr?: number; area?: string; maxDets?: number },
): number {
  const ts = [...COCO_IOU_THRESHOLDS.keys()].filter((t) => setting.iouThr === undefined || COCO_IOU_THRESHOLDS[t] === setting.iouThr);
  const a = COCO_AREA_RANGES.findIndex((r) => r.label === (setting.area ?? 'all'));
  const m = COCO_MAX_DETS.indexOf((setting.maxDets ?? 100) as (typeof COCO_MAX_DETS)[number]);
  const values: number[] = [];
  for (const t of ts) {
    if (ap) {
      for (let r = 0; r < R; r++) for (let k = 0; k < K; k++) values.push(precision[precisionAt(t, r, k, a, m, K)]);
    } else {
      for (let k = 0; k < K; k++) values.push(recall[recallAt(t, k, a, m, K)]);
    }
  }
  return meanOfValid(values);
}

/**
 * COCO bbox evaluation, as pycocotools COCOeval(gt, loadRes(detections), 'bbox').
 * @param gt ground truth {images, annotations, categories}
 * @param detections [N] results {image_id, category_id, bbox, score}
 * @returns the 12 summarize() stats (see COCO_STAT_NAMES / namedCocoStats) and per-category AP
 */
export function cocoEvaluate(gt: CocoDataset, detections: CocoDetection[], options: CocoEvalOptions = {}): CocoEvalResult {
  const index = indexCoco(gt, detections, options);
  const K = index.catIds.length;
  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  for (let k = 0; k < K; k++) {
    const cm = matchCategory(index, k);
    if (cm !== undefined) accumulateCategory(cm, k, K, precision, recall);
  }

  const stat = (ap: boolean, setting: { iouThr?: number; area?: string; maxDets?: number }) =>
    summarizeOne(precision, recall, K, ap, setting);
  const stats = [
    stat(true, {}),
    stat(true, { iouThr: 0.5 }),
    stat(true, { iouThr: 0.75 }),
    stat(true, { area: 'small' }),
    stat(true, { area: 'medium' }),
    stat(true, { area: 'large' }),
    stat(false, { maxDets: 1 }),
    stat(false, { maxDets: 10 }),
    stat(false, {}),
    stat(false, { area: 'small' }),
    stat(false, { area: 'medium' }),
    stat(false, { area: 'large' }),
  ];

  const perCategoryAP: Record<string, number> = {};
  index.catIds.forEach((catId, k) => {
    const values: number[] = [];
    for (let t = 0; t < T; t++) for (let r = 0; r < R; r++) values.push(precision[precisionAt(t, r, k, 0, M - 1, K)]);
    perCategoryAP[String(catId)] = meanOfValid(values);
  });
  return { stats, perCategoryAP };
}
