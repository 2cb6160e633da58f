/**
 * What the format readers produce and the input pipeline consumes: one record per image, with an
 * absolute file path and the task's annotation. Readers never decode pixels; the pipeline does,
 * lazily, batch by batch.
 */
import type { Skip } from './skips';

/** A box in absolute pixel coordinates of the original image, COCO convention [x, y, width, height]. */
export type BoxXYWH = [number, number, number, number];

export interface ImageRecord {
  /** Absolute path of the image file. */
  file: string;
}

export interface MultiLabelRecord extends ImageRecord {
  /** Indices into the dataset's `classes`, sorted, unique; may be empty where the format allows it. */
  labels: number[];
}

export interface SingleLabelRecord extends ImageRecord {
  /** Index into the dataset's `classes`. */
  label: number;
}

export interface DetectionRecord extends ImageRecord {
  /** The image id used in the COCO ground truth (for evaluation). */
  imageId: number;
  width: number;
  height: number;
  boxes: BoxXYWH[];
  /** Index into the dataset's `classes`, one per box. */
  labels: number[];
  /** true for boxes to ignore in training and evaluation (COCO iscrowd, VOC difficult). */
  ignore: boolean[];
  /** The annotation's `area` (COCO: segment area; VOC: box area), which COCO evaluation's size ranges use. */
  areas: number[];
}

export interface Dataset<R extends ImageRecord> {
  /** Class names; a record's label is an index into this list. */
  classes: string[];
  records: R[];
  /** Records dropped under `--skip-bad`, each with its kind and one-line reason. */
  skipped: Skip[];
  /** Where the data came from (a file or folder), for messages and the run config. */
  source: string;
}

/** Thrown for bad user data: the message names the file and record and says what is wrong. */
export class DataError extends Error {}
