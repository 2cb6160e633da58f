/**
 * What every format reader shares: the `skipBad` policy for bad records, file look-ups, and the
 * sorting rule for class names.
 */
import * as fs from 'fs';
import { DataError } from '../records';
import type { Skip, SkipKind } from '../skips';
import { ImageDecodeError } from '../image/codec';
import { readImageSize } from '../image/header';

export interface ReadOptions {
  /** Skip bad records (each reason goes to `Dataset.skipped`) instead of failing on the first. */
  skipBad: boolean;
}

export interface MultiLabelReadOptions extends ReadOptions {
  /**
   * Accept images without any label (an empty label set). Off by default: an unlabelled image in a
   * multi-label set is usually a mistake. The built-in `mnist-multilabel` with `missingLabels`
   * needs it (an image can lose all its labels there).
   */
  allowEmpty?: boolean;
}

/** The extensions tried, in this order, when an image is named without one (CSV, VOC). */
export const IMAGE_EXTENSIONS = ['.jpg', '.png', '.jpeg'];

/**
 * Collects problems with single records. Without skipBad the first problem throws; with it, the
 * reason is kept and `report` returns so that the caller drops the record.
 */
export class BadRecords {
  readonly skipped: Skip[] = [];

  constructor(private readonly skipBad: boolean) {}

  /** Throws a DataError with `message` unless skipBad; otherwise records it (the caller then skips). */
  report(message: string, kind: SkipKind = 'record'): void {
    if (!this.skipBad) throw new DataError(message);
    this.skipped.push({ kind, reason: message });
  }
}

export function isFile(file: string): boolean {
  return fs.statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
}

export function isDirectory(dir: string): boolean {
  return fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/**
 * The image file for `base`: `base` itself when it is a file, else `base` + each of
 * IMAGE_EXTENSIONS in turn; undefined when none exists.
 */
export function findImageFile(base: string): string | undefined {
  if (isFile(base)) return base;
  for (const ext of IMAGE_EXTENSIONS) {
    if (isFile(base + ext)) return base + ext;
  }
  return undefined;
}

/**
 * What is wrong when an image file's header does not match the size its annotation declares
 * (boxes are in declared pixels, predictions in the file's): a `size` problem, or a `decode` one
 * when the header cannot be read; undefined when they agree.
 */
export function declaredSizeProblem(file: string, width: number, height: number): { kind: SkipKind; problem: string } | undefined {
  let actual;
  try {
    actual = readImageSize(file);
  } catch (err) {
    if (!(err instanceof ImageDecodeError)) throw err;
    return { kind: 'decode', problem: err.message };
  }
  if (actual.width === width && actual.height === height) return undefined;
  return { kind: 'size', problem: `declared size ${width}x${height}, but the image file ${file} is ${actual.width}x${actual.height}` };
}

/** Reads a text file, dropping a UTF-8 byte-order mark; a missing or unreadable file is a DataError. */
export function readTextFile(file: string, what: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new DataError(`${file}: cannot read ${what} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Sorted unique strings, by UTF-16 code units (the same as Python's sorted() for ASCII names). */
export function sortedUnique(names: Iterable<string>): string[] {
  return [...new Set(names)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
