/**
 * CSV readers: `image,tags` for multi-label (Kaggle Planet convention: tags separated by spaces)
 * and `image,label` for single-label. A header row is required; other columns are ignored. The
 * image column may omit the extension (.jpg, .png, .jpeg are tried); paths are relative to the
 * CSV's folder unless `imageDir` is given. Classes are the sorted unique tags/labels, or the given
 * `classes` (the training split's) for a validation split.
 */
import * as path from 'path';
import { DataError, Dataset, MultiLabelRecord, SingleLabelRecord } from '../records';
import { parseCsv } from './csv-parse';
import { BadRecords, findImageFile, IMAGE_EXTENSIONS, MultiLabelReadOptions, readTextFile, ReadOptions, sortedUnique } from './reader-support';

export interface CsvReadOptions extends ReadOptions {
  /** Folder the image names are relative to; default: the CSV's folder. */
  imageDir?: string;
}

/** Accepted header names (case-insensitive) for each column. */
const IMAGE_COLUMN = ['image', 'image_name', 'filename', 'file'];
const TAGS_COLUMN = ['tags', 'labels'];
const LABEL_COLUMN = ['label', 'class'];

interface CsvEntry {
  /** "file.csv:LINE" for messages. */
  where: string;
  file: string;
  value: string;
}

/**
 * The rows of an image CSV whose image exists, with the value of the label column. Bad rows
 * (wrong field count, empty or duplicate image, missing file) go to `bad`.
 */
function readImageCsv(csvFile: string, imageDir: string | undefined, labelColumn: string[], bad: BadRecords): CsvEntry[] {
  const rows = parseCsv(readTextFile(csvFile, 'CSV file'), csvFile);
  if (rows.length === 0) throw new DataError(`${csvFile}: empty file (a header row '${IMAGE_COLUMN[0]},${labelColumn[0]}' is required)`);
  const header = rows[0].fields.map((f) => f.toLowerCase());
  const imageCol = header.findIndex((h) => IMAGE_COLUMN.includes(h));
  const labelCol = header.findIndex((h) => labelColumn.includes(h));
  if (imageCol < 0 || labelCol < 0) {
    throw new DataError(
      `${csvFile}:${rows[0].line}: header must name an image column (${IMAGE_COLUMN.join('|')}) and a ${labelColumn[0]} column (${labelColumn.join('|')}), got '${rows[0].fields.join(',')}'`,
    );
  }
  const baseDir = imageDir ?? path.dirname(path.resolve(csvFile));
  const firstLine = new Map<string, number>();
  const entries: CsvEntry[] = [];
  for (const { line, fields } of rows.slice(1)) {
    const where = `${csvFile}:${line}`;
    if (fields.length !== header.length) {
      bad.report(`${where}: expected ${header.length} fields, got ${fields.length}`);
      continue;
    }
    const name = fields[imageCol];
    if (name === '') {
      bad.report(`${where}: empty image name`);
      continue;
    }
    if (firstLine.has(name)) {
      bad.report(`${where}: image '${name}' already listed on line ${firstLine.get(name)}`);
      continue;
    }
    firstLine.set(name, line);
    const file = findImageFile(path.resolve(baseDir, name));
    if (!file) {
      bad.report(`${where}: image '${name}' not found in ${baseDir} (also tried ${IMAGE_EXTENSIONS.join(', ')})`);
      continue;
    }
    entries.push({ where, file, value: fields[labelCol] });
  }
  return entries;
}

/** Checks `names` against the training classes when given, else derives the sorted classes. */
function classIndex(names: Iterable<string>, classes: string[] | undefined): { classes: string[]; indexOf: Map<string, number> } {
  const list = classes ?? sortedUnique(names);
  return { classes: list, indexOf: new Map(list.map((c, i) => [c, i])) };
}

/** Multi-label CSV (`image,tags`, tags separated by spaces). */
export function readCsvMultiLabel(csvFile: string, opts: CsvReadOptions & MultiLabelReadOptions, classes?: string[]): Dataset<MultiLabelRecord> {
  const bad = new BadRecords(opts.skipBad);
  const entries = readImageCsv(csvFile, opts.imageDir, TAGS_COLUMN, bad).flatMap((e) => {
    const tags = [...new Set(e.value.split(/\s+/).filter((t) => t !== ''))];
    if (tags.length === 0 && !opts.allowEmpty) {
      bad.report(`${e.where}: no tags (a multi-label record needs at least one)`);
      return [];
    }
    return [{ ...e, tags }];
  });
  const index = classIndex(entries.flatMap((e) => e.tags), classes);
  const records: MultiLabelRecord[] = [];
  for (const e of entries) {
    const unknown = e.tags.find((t) => !index.indexOf.has(t));
    if (unknown !== undefined) {
      bad.report(`${e.where}: tag '${unknown}' is not among the training classes`);
      continue;
    }
    records.push({ file: e.file, labels: e.tags.map((t) => index.indexOf.get(t) as number).sort((a, b) => a - b) });
  }
  return { classes: index.classes, records, skipped: bad.skipped, source: csvFile };
}

/** Single-label CSV (`image,label`). */
export function readCsvSingleLabel(csvFile: string, opts: CsvReadOptions, classes?: string[]): Dataset<SingleLabelRecord> {
  const bad = new BadRecords(opts.skipBad);
  const entries = readImageCsv(csvFile, opts.imageDir, LABEL_COLUMN, bad).filter((e) => {
    if (e.value === '') bad.report(`${e.where}: empty label`);
    return e.value !== '';
  });
  const index = classIndex(entries.map((e) => e.value), classes);
  const records: SingleLabelRecord[] = [];
  for (const e of entries) {
    const label = index.indexOf.get(e.value);
    if (label === undefined) {
      bad.report(`${e.where}: label '${e.value}' is not among the training classes`);
      continue;
    }
    records.push({ file: e.file, label });
  }
  return { classes: index.classes, records, skipped: bad.skipped, source: csvFile };
}
