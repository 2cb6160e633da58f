/**
 * The COCO instances format: its types (the ground-truth dict that evaluation consumes, as
 * pycocotools reads it) and validation of the parts of an instances JSON, entry by entry.
 * Problems with the file as a whole are fatal DataErrors; problems with one image or annotation go
 * through BadRecords (fatal, or skipped under skipBad).
 */
import * as path from 'path';
import { BoxXYWH, DataError, DetectionRecord } from '../records';
import { checkBox } from './box-check';
import { BadRecords, declaredSizeProblem, isFile } from './reader-support';
import type { SkipKind } from '../skips';

export interface CocoImage {
  id: number;
  file_name: string;
  width: number;
  height: number;
}

export interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  /** [x, y, w, h] in pixels, clipped to the image. */
  bbox: BoxXYWH;
  /** The file's `area` (segment area for real COCO), or w*h when it gave none. */
  area: number;
  iscrowd: 0 | 1;
}

export interface CocoCategory {
  id: number;
  name: string;
}

/** A validated COCO ground truth, as COCO evaluation reads it. */
export interface CocoGroundTruth {
  images: CocoImage[];
  annotations: CocoAnnotation[];
  categories: CocoCategory[];
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

/** The three arrays of an instances file; a file without them is not COCO instances (fatal). */
export function cocoSections(raw: unknown, file: string): Record<'images' | 'annotations' | 'categories', unknown[]> {
  if (!isObject(raw)) throw new DataError(`${file}: expected a JSON object with "images", "annotations" and "categories"`);
  const sections = { images: raw.images, annotations: raw.annotations, categories: raw.categories };
  for (const [key, value] of Object.entries(sections)) {
    if (!Array.isArray(value)) throw new DataError(`${file}: missing "${key}" array (not a COCO instances file?)`);
  }
  return sections as Record<'images' | 'annotations' | 'categories', unknown[]>;
}

/** Categories sorted by id (the class order). Any flaw is fatal: the class list itself would be wrong. */
export function parseCategories(list: unknown[], file: string): CocoCategory[] {
  if (list.length === 0) throw new DataError(`${file}: "categories" is empty`);
  const categories = list.map((c, i) => {
    if (!isObject(c) || !isId(c.id)) throw new DataError(`${file}: categories[${i}]: missing or non-integer "id"`);
    if (typeof c.name !== 'string' || c.name === '') throw new DataError(`${file}: category ${c.id}: missing or empty "name"`);
    return { id: c.id, name: c.name };
  });
  categories.sort((a, b) => a.id - b.id);
  for (let i = 1; i < categories.length; i++) {
    if (categories[i].id === categories[i - 1].id) throw new DataError(`${file}: duplicate category id ${categories[i].id}`);
  }
  const names = new Set<string>();
  for (const c of categories) {
    if (names.has(c.name)) throw new DataError(`${file}: duplicate category name '${c.name}'`);
    names.add(c.name);
  }
  return categories;
}

/** One image entry whose file exists; width/height are present when the reader asked for them. */
export interface CocoImageEntry {
  id: number;
  fileName: string;
  /** Absolute path of the image file. */
  file: string;
  width?: number;
  height?: number;
}

export interface ParsedImages {
  /** Accepted images in file order, by id. */
  byId: Map<number, CocoImageEntry>;
  /** Ids of images dropped under skipBad: their annotations are dropped without a second message. */
  rejectedIds: Set<number>;
}

function isPositive(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

/**
 * Validates the image entries: integer unique id, string file_name (relative to `imageDir`) naming
 * an existing file, and when `needSize` (detection) positive width/height that match the file's header.
 */
export function parseImages(list: unknown[], file: string, imageDir: string, bad: BadRecords, needSize: boolean): ParsedImages {
  const byId = new Map<number, CocoImageEntry>();
  const rejectedIds = new Set<number>();
  const firstIndex = new Map<number, number>();
  list.forEach((entry, i) => {
    if (!isObject(entry) || !isId(entry.id)) return bad.report(`${file}: images[${i}]: missing or non-integer "id"`);
    const id = entry.id;
    const name = `${file}: image ${id}`;
    if (firstIndex.has(id)) return bad.report(`${name}: duplicate image id (images[${firstIndex.get(id)}] and images[${i}]); the later entry is dropped`);
    firstIndex.set(id, i);
    const reject = (problem: string, kind: SkipKind = 'record'): void => {
      rejectedIds.add(id);
      bad.report(`${name}: ${problem}`, kind);
    };
    if (typeof entry.file_name !== 'string' || entry.file_name === '') return reject('missing or empty "file_name"');
    const hasSize = isPositive(entry.width) && isPositive(entry.height);
    if (needSize && !hasSize) return reject(`width/height unknown: "width" and "height" must be positive numbers`);
    const imageFile = path.resolve(imageDir, entry.file_name);
    if (!isFile(imageFile)) return reject(`image file not found: ${imageFile}`);
    const mismatch = needSize ? declaredSizeProblem(imageFile, entry.width as number, entry.height as number) : undefined;
    if (mismatch) return reject(mismatch.problem, mismatch.kind);
    byId.set(id, {
      id,
      fileName: entry.file_name,
      file: imageFile,
      ...(hasSize ? { width: entry.width as number, height: entry.height as number } : {}),
    });
  });
  return { byId, rejectedIds };
}

/** An annotation resolved to its image and class index (the part both COCO readers need). */
export interface AnnotationLink {
  entry: JsonObject;
  /** How messages name the annotation: `file: annotation ID (image IMAGE)`. */
  name: string;
  image: CocoImageEntry;
  classIndex: number;
}

/**
 * Resolves annotations[index] to an accepted image and a class index (`classOf`: category id →
 * index); null when it is bad (reported) or belongs to a rejected image (already reported).
 */
export function linkAnnotation(
  entry: unknown,
  index: number,
  file: string,
  images: ParsedImages,
  classOf: Map<number, number>,
  bad: BadRecords,
): AnnotationLink | null {
  if (!isObject(entry)) {
    bad.report(`${file}: annotations[${index}]: not an object`);
    return null;
  }
  const name = `${file}: ${isId(entry.id) ? `annotation ${entry.id}` : `annotations[${index}]`}`;
  if (!isId(entry.image_id)) {
    bad.report(`${name}: missing or non-integer "image_id"`);
    return null;
  }
  if (images.rejectedIds.has(entry.image_id)) return null;
  const image = images.byId.get(entry.image_id);
  const named = `${name} (image ${entry.image_id})`;
  if (!image) {
    bad.report(`${named}: unknown image_id ${entry.image_id}`);
    return null;
  }
  const classIndex = classOf.get(entry.category_id as number);
  if (!isId(entry.category_id) || classIndex === undefined) {
    bad.report(`${named}: unknown category_id ${JSON.stringify(entry.category_id)}`);
    return null;
  }
  return { entry, name: named, image, classIndex };
}

/**
 * The detection fields of a linked annotation: unique integer id, a valid box (clipped to the
 * image), area (the file's, or w*h) and iscrowd (0/1/boolean, default 0). Null when bad (reported).
 * `seenIds` collects annotation ids to catch duplicates.
 */
export function boxAnnotation(link: AnnotationLink, categoryId: number, seenIds: Set<number>, bad: BadRecords): CocoAnnotation | null {
  const { entry, name, image } = link;
  if (!isId(entry.id)) return reportNull(bad, `${name}: missing or non-integer "id"`);
  if (seenIds.has(entry.id)) return reportNull(bad, `${name}: duplicate annotation id`);
  seenIds.add(entry.id);
  const checked = checkBox(entry.bbox, image.width as number, image.height as number);
  if ('problem' in checked) return reportNull(bad, `${name}: ${checked.problem}`);
  const [, , w, h] = checked.box;
  let area = w * h;
  if (entry.area !== undefined) {
    if (typeof entry.area !== 'number' || !Number.isFinite(entry.area) || entry.area < 0) {
      return reportNull(bad, `${name}: "area" must be a non-negative number, got ${JSON.stringify(entry.area)}`);
    }
    area = entry.area;
  }
  const crowd = entry.iscrowd ?? 0;
  if (![0, 1, true, false].includes(crowd as number | boolean)) {
    return reportNull(bad, `${name}: "iscrowd" must be 0 or 1, got ${JSON.stringify(crowd)}`);
  }
  return { id: entry.id, image_id: image.id, category_id: categoryId, bbox: checked.box, area, iscrowd: crowd === 1 || crowd === true ? 1 : 0 };
}

function reportNull(bad: BadRecords, message: string): null {
  bad.report(message);
  return null;
}

/**
 * The COCO ground truth of detection records (for formats that are not COCO, e.g. VOC): category
 * ids are class index + 1, annotation ids count from 1 in record order, ignored boxes become
 * iscrowd 1 (so COCO evaluation neither rewards nor punishes detections on them, as mmdetection's
 * VOC converter does for `difficult`).
 */
export function cocoGroundTruthFromRecords(records: DetectionRecord[], classes: string[], fileName: (record: DetectionRecord) => string): CocoGroundTruth {
  const annotations: CocoAnnotation[] = [];
  for (const r of records) {
    r.boxes.forEach((bbox, k) => {
      annotations.push({
        id: annotations.length + 1,
        image_id: r.imageId,
        category_id: r.labels[k] + 1,
        bbox,
        area: r.areas[k],
        iscrowd: r.ignore[k] ? 1 : 0,
      });
    });
  }
  return {
    images: records.map((r) => ({ id: r.imageId, file_name: fileName(r), width: r.width, height: r.height })),
    annotations,
    categories: classes.map((name, i) => ({ id: i + 1, name })),
  };
}
