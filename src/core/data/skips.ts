/**
 * Images left out under `--skip-bad`, counted by kind and split, so that a run says what it did
 * not train or evaluate on:
 * - `record`: a bad annotation record (the readers find these before training);
 * - `decode`: an image file that cannot be read or decoded (the detection readers find a bad
 *   header; the pre-training check and the loaders the rest, the loaders lazily, on the image's
 *   first visit: each file counts once, however many epochs or evaluations meet it);
 * - `size`: an image whose declared width/height differ from the file's (COCO, VOC).
 */
import { DataError, type Dataset, type ImageRecord } from './records';
import { decodeImageFile, ImageDecodeError } from './image/codec';

export const SKIP_KINDS = ['record', 'decode', 'size'] as const;
export type SkipKind = (typeof SKIP_KINDS)[number];
export type SplitName = 'train' | 'val';

export interface Skip {
  kind: SkipKind;
  /** One line naming the file (and record) and what is wrong. */
  reason: string;
}

/** What metrics.json holds under `skipped`. */
export interface SkipCounts {
  total: number;
  byKind: Record<SkipKind, number>;
  bySplit: Record<SplitName, number>;
  /**
   * One reason as an example: the first in (split, kind, text) order, so that it does not depend
   * on the order in which prefetched batches met their bad files. Absent when nothing was skipped.
   */
  first?: string;
}

/** How messages name a split: `train split (/data/train.csv)`. */
const splitLabel = (split: SplitName, source: string): string => `${split} split (${source})`;

/** The skips of one split, with the split's source (a file or folder) for messages. */
export class SplitSkips {
  readonly entries: Skip[] = [];
  /** Files already counted as `decode` skips: the pre-training check and each loader meet them again. */
  private readonly undecodable = new Set<string>();

  constructor(
    readonly split: SplitName,
    readonly source: string,
  ) {}

  get label(): string {
    return splitLabel(this.split, this.source);
  }

  add(skip: Skip): void {
    this.entries.push(skip);
  }

  /** Counts a `decode` skip of `file`, once per file. */
  addDecodeFailure(file: string, reason: string): void {
    if (this.undecodable.has(file)) return;
    this.undecodable.add(file);
    this.add({ kind: 'decode', reason });
  }
}

const SPLIT_ORDER: SplitName[] = ['train', 'val'];

function compareSkips(splitA: SplitName, a: Skip, splitB: SplitName, b: Skip): number {
  return (
    SPLIT_ORDER.indexOf(splitA) - SPLIT_ORDER.indexOf(splitB) ||
    SKIP_KINDS.indexOf(a.kind) - SKIP_KINDS.indexOf(b.kind) ||
    (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0)
  );
}

/** The skips of a run: one SplitSkips per split read. */
export class SkipLedger {
  private readonly splits: SplitSkips[] = [];

  /** Starts the skips of `split` with those its reader found. */
  open(split: SplitName, source: string, readerSkips: readonly Skip[]): SplitSkips {
    const skips = new SplitSkips(split, source);
    readerSkips.forEach((s) => skips.add(s));
    this.splits.push(skips);
    return skips;
  }

  counts(): SkipCounts {
    const byKind = Object.fromEntries(SKIP_KINDS.map((k) => [k, 0])) as Record<SkipKind, number>;
    const bySplit: Record<SplitName, number> = { train: 0, val: 0 };
    let first: { split: SplitName; skip: Skip } | undefined;
    for (const { split, entries } of this.splits) {
      for (const skip of entries) {
        byKind[skip.kind]++;
        bySplit[split]++;
        if (!first || compareSkips(split, skip, first.split, first.skip) < 0) first = { split, skip };
      }
    }
    const total = bySplit.train + bySplit.val;
    return { total, byKind, bySplit, ...(first === undefined ? {} : { first: first.skip.reason }) };
  }
}

/** `skipped 3 (decode 2, record 1)`; empty when nothing was skipped. */
export function describeSkips(counts: SkipCounts): string {
  if (counts.total === 0) return '';
  const kinds = SKIP_KINDS.filter((k) => counts.byKind[k] > 0).map((k) => `${k} ${counts.byKind[k]}`);
  return `skipped ${counts.total} (${kinds.join(', ')})`;
}

/** A run's ledger and the entries of its splits, which the splits' loaders add to. */
export interface RunSkips {
  ledger: SkipLedger;
  /** Absent when only the val split was read (evaluation). */
  train?: SplitSkips;
  val: SplitSkips;
}

/**
 * The RunSkips of the splits read, each started with what its reader skipped, after checking that
 * each split has an image that decodes (requireDecodableImage).
 */
export function runSkips(train: Dataset<ImageRecord> | undefined, val: Dataset<ImageRecord>, skipBad: boolean): RunSkips {
  const ledger = new SkipLedger();
  const open = (split: SplitName, dataset: Dataset<ImageRecord>): SplitSkips => {
    const skips = ledger.open(split, dataset.source, dataset.skipped);
    requireDecodableImage(dataset.records, skips, skipBad);
    return skips;
  };
  return { ledger, train: train && open('train', train), val: open('val', val) };
}

/**
 * `dataset`, or a DataError when it has no image left: one line naming the split and its source
 * and, when --skip-bad removed them all, how many records and the first reason.
 */
export function requireImages<D extends Dataset<ImageRecord>>(split: SplitName, dataset: D): D {
  if (dataset.records.length > 0) return dataset;
  const { skipped } = dataset;
  const why = skipped.length === 0 ? 'it lists none' : `--skip-bad skipped ${skipped.length} bad records, leaving none; first: ${skipped[0].reason}`;
  throw new DataError(`${splitLabel(split, dataset.source)}: no usable images: ${why}`);
}

/** The one line for a split none of whose images could be decoded. */
export function noUsableImages(label: string, failed: number, total: number, first: string | undefined): string {
  return `${label}: no usable images: ${failed} of its ${total} images could not be read or decoded (skipped by --skip-bad); first: ${first}`;
}

/**
 * Decodes the split's images in record order until one succeeds (one decode for a sound split), so
 * that a split whose every image fails stops the run before training; the loaders, which decode
 * lazily, would find out only at the split's first epoch or evaluation. Without skipBad the first
 * failure is the error; with it each failure is counted in `skips` (once per file).
 */
export function requireDecodableImage(records: readonly ImageRecord[], skips: SplitSkips, skipBad: boolean): void {
  let first: string | undefined;
  for (const { file } of records) {
    try {
      decodeImageFile(file);
      return;
    } catch (err) {
      if (!(err instanceof ImageDecodeError)) throw err;
      const reason = err.message;
      if (!skipBad) throw new DataError(reason);
      skips.addDecodeFailure(file, reason);
      first ??= reason;
    }
  }
  throw new DataError(noUsableImages(skips.label, records.length, records.length, first));
}
