/**
 * Validates COCO ground truth and detections and groups them by (category, image), the way
 * pycocotools' COCO.createIndex / loadRes / COCOeval._prepare do:
 * - images and categories are evaluated in ascending id order;
 * - within a (category, image) cell, ground truths keep the annotation order of the file and
 *   detections the order of the detection list;
 * - a detection's area is w * h and its id its position + 1 (loadRes); a ground truth is ignored
 *   exactly when it is a crowd (its own `ignore` field is overwritten, as in _prepare).
 * Unlike pycocotools, which would silently drop them, annotations or detections naming an unknown
 * image or category are errors.
 */
import { CocoDataset, CocoDetection, CocoEvalOptions } from './coco-types';

/** A ground-truth box ready for matching. */
export interface GtRecord {
  id: number;
  /** [x, y, w, h] */
  box: readonly number[];
  area: number;
  crowd: boolean;
}

/** A detection ready for matching. */
export interface DtRecord {
  id: number;
  /** [x, y, w, h] */
  box: readonly number[];
  /** w * h, as loadRes sets it. */
  area: number;
  score: number;
}

export interface CocoCell {
  gts: GtRecord[];
  dts: DtRecord[];
}

export interface CocoIndex {
  /** Evaluated image ids, ascending. */
  imgIds: number[];
  /** Category ids, ascending. */
  catIds: number[];
  /** cells[k * imgIds.length + i]: category k in image i; undefined when it has no gt and no dt. */
  cells: (CocoCell | undefined)[];
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function checkBox(bbox: unknown, where: string): readonly number[] {
  if (!Array.isArray(bbox) || bbox.length !== 4 || !bbox.every(isFiniteNumber) || bbox[2] < 0 || bbox[3] < 0) {
    throw new Error(`${where}: bbox must be [x,y,w,h] with w,h >= 0, got ${JSON.stringify(bbox)}`);
  }
  return bbox;
}

/** Ids of a list of {id} records, checked to be unique integers. */
function uniqueIds(records: unknown, where: string): Set<number> {
  if (!Array.isArray(records)) throw new Error(`${where} must be an array`);
  const ids = new Set<number>();
  records.forEach((r, i) => {
    const id = (r as { id?: unknown } | null)?.id;
    if (!Number.isInteger(id)) throw new Error(`${where}[${i}]: id must be an integer, got ${JSON.stringify(id)}`);
    if (ids.has(id as number)) throw new Error(`${where}[${i}]: duplicate id ${id}`);
    ids.add(id as number);
  });
  return ids;
}

function ascending(ids: Iterable<number>): number[] {
  return [...ids].sort((a, b) => a - b);
}

/** Checks `options.imgIds` against the gt images; returns the evaluated ids, ascending. */
function evaluatedImageIds(imageIds: Set<number>, options: CocoEvalOptions): number[] {
  if (options.imgIds === undefined) return ascending(imageIds);
  if (!Array.isArray(options.imgIds)) throw new Error('cocoEvaluate: options.imgIds must be an array of image ids');
  options.imgIds.forEach((id, i) => {
    if (!imageIds.has(id)) throw new Error(`cocoEvaluate: options.imgIds[${i}]: image id ${id} is not in gt.images`);
  });
  return ascending(new Set(options.imgIds));
}

/** Validates everything and builds the (category, image) cells. */
export function indexCoco(gt: CocoDataset, detections: CocoDetection[], options: CocoEvalOptions = {}): CocoIndex {
  if (gt === null || typeof gt !== 'object') throw new Error('cocoEvaluate: gt must be a COCO dataset {images, annotations, categories}');
  const imageIds = uniqueIds(gt.images, 'gt.images');
  const categoryIds = uniqueIds(gt.categories, 'gt.categories');
  uniqueIds(gt.annotations, 'gt.annotations');
  if (!Array.isArray(detections)) throw new Error('cocoEvaluate: detections must be an array');

  const imgIds = evaluatedImageIds(imageIds, options);
  const catIds = ascending(categoryIds);
  const imageIndex = new Map(imgIds.map((id, i) => [id, i]));
  const categoryIndex = new Map(catIds.map((id, k) => [id, k]));
  const cells: (CocoCell | undefined)[] = new Array(catIds.length * imgIds.length);

  /** The cell of a record, or undefined for an image left out by options.imgIds. */
  const cellOf = (imageId: unknown, categoryId: unknown, where: string): CocoCell | undefined => {
    if (!imageIds.has(imageId as number)) throw new Error(`${where}: image_id ${JSON.stringify(imageId)} is not in gt.images`);
    const k = categoryIndex.get(categoryId as number);
    if (k === undefined) throw new Error(`${where}: category_id ${JSON.stringify(categoryId)} is not in gt.categories`);
    const i = imageIndex.get(imageId as number);
    if (i === undefined) return undefined;
    const c = k * imgIds.length + i;
    return (cells[c] ??= { gts: [], dts: [] });
  };

  gt.annotations.forEach((a, n) => {
    const where = `gt.annotations[${n}]`;
    if (a.id === 0) throw new Error(`${where}: id must be non-zero (COCOeval reads id 0 as "unmatched")`);
    const box = checkBox(a.bbox, where);
    if (!isFiniteNumber(a.area) || a.area < 0) throw new Error(`${where}: area must be a number >= 0, got ${JSON.stringify(a.area)}`);
    const crowd = a.iscrowd ?? 0;
    if (crowd !== 0 && crowd !== 1) throw new Error(`${where}: iscrowd must be 0 or 1, got ${JSON.stringify(a.iscrowd)}`);
    cellOf(a.image_id, a.category_id, where)?.gts.push({ id: a.id, box, area: a.area, crowd: crowd === 1 });
  });

  detections.forEach((d, n) => {
    const where = `detections[${n}]`;
    if (d === null || typeof d !== 'object') throw new Error(`${where} must be {image_id, category_id, bbox, score}`);
    const box = checkBox(d.bbox, where);
    if (!isFiniteNumber(d.score)) throw new Error(`${where}: score must be a finite number, got ${JSON.stringify(d.score)}`);
    cellOf(d.image_id, d.category_id, where)?.dts.push({ id: n + 1, box, area: box[2] * box[3], score: d.score });
  });

  return { imgIds, catIds, cells };
}
