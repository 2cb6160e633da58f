/**
 * COCO detection data as the official JSON files and result files spell it, and the fixed
 * evaluation parameters of pycocotools `COCOeval(iouType='bbox')` (cocoapi PythonAPI/pycocotools,
 * class Params, setDetParams).
 */

/** A box [x, y, width, height] in pixels, top-left corner first. */
export type CocoBox = [number, number, number, number];

export interface CocoImage {
  id: number;
  width?: number;
  height?: number;
  file_name?: string;
}

export interface CocoCategory {
  id: number;
  name?: string;
  supercategory?: string;
}

export interface CocoAnnotation {
  /** Non-zero and unique: COCOeval uses 0 to mean "unmatched". */
  id: number;
  image_id: number;
  category_id: number;
  bbox: CocoBox;
  /** Object area; decides the small/medium/large range (IoU uses the bbox instead). */
  area: number;
  /** 1 for a crowd region: never a positive, absorbs the detections that fall inside it. */
  iscrowd?: 0 | 1;
  /** Accepted and ignored: pycocotools overwrites it with iscrowd. */
  ignore?: number;
}

/** Ground truth: the three lists of a COCO instances file (other keys are ignored). */
export interface CocoDataset {
  images: CocoImage[];
  annotations: CocoAnnotation[];
  categories: CocoCategory[];
}

/** One entry of a COCO results file. Its area is taken as w * h, as pycocotools' loadRes does. */
export interface CocoDetection {
  image_id: number;
  category_id: number;
  bbox: CocoBox;
  score: number;
}

export interface CocoEvalOptions {
  /** Evaluate only these images (pycocotools params.imgIds); default all images of the gt. */
  imgIds?: number[];
}

export interface CocoEvalResult {
  /** The 12 numbers of COCOeval.summarize(), in COCO_STAT_NAMES order; -1 where undefined. */
  stats: number[];
  /** Per category id (as a string): AP@[.50:.95] over area all, 100 detections; -1 if undefined. */
  perCategoryAP: Record<string, number>;
}

/** Names of COCOeval.stats, in order. */
export const COCO_STAT_NAMES = ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm', 'ARl'] as const;

export type CocoStatName = (typeof COCO_STAT_NAMES)[number];

/** The stats as a named object: { AP, AP50, ..., ARl }. */
export function namedCocoStats(stats: readonly number[]): Record<CocoStatName, number> {
  if (stats.length !== COCO_STAT_NAMES.length) {
    throw new Error(`namedCocoStats: expected ${COCO_STAT_NAMES.length} stats, got ${stats.length}`);
  }
  const named = {} as Record<CocoStatName, number>;
  COCO_STAT_NAMES.forEach((name, i) => (named[name] = stats[i]));
  return named;
}

/** np.linspace(start, stop, num): start + i * step with the last value set to stop exactly. */
function numpyLinspace(start: number, stop: number, num: number): number[] {
  const step = (stop - start) / (num - 1);
  return Array.from({ length: num }, (_, i) => (i === num - 1 ? stop : i * step + start));
}

/** IoU thresholds .50:.05:.95 (linspace values: the 9th is 0.8999999999999999). */
export const COCO_IOU_THRESHOLDS = numpyLinspace(0.5, 0.95, 10);

/** Recall thresholds 0:.01:1 (linspace values: 0.35000000000000003 and others). */
export const COCO_RECALL_THRESHOLDS = numpyLinspace(0, 1, 101);

/** Detections kept per image for each maxDets setting. */
export const COCO_MAX_DETS = [1, 10, 100] as const;

/** Object area ranges [lo, hi], both bounds inclusive, in summarize's label order. */
export const COCO_AREA_RANGES: ReadonlyArray<{ label: 'all' | 'small' | 'medium' | 'large'; lo: number; hi: number }> = [
  { label: 'all', lo: 0, hi: 1e5 ** 2 },
  { label: 'small', lo: 0, hi: 32 ** 2 },
  { label: 'medium', lo: 32 ** 2, hi: 96 ** 2 },
  { label: 'large', lo: 96 ** 2, hi: 1e5 ** 2 },
];
