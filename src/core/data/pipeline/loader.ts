/**
 * BatchLoader: records → batches of normalised NHWC float32 images plus the task's per-item
 * targets. Files are read lazily per batch; the pipeline owns decode → augment/fit → normalise,
 * and the task only maps (record, TransformInfo) to its target.
 *
 * Determinism: the epoch order is a shuffle seeded by (seed, epoch) and every item's augmentation
 * generator by (seed, epoch, record index), so batch k of epoch e is the same whether the epoch
 * runs from the start, resumes at k, or prefetches with different timing.
 */
import { promises as fs } from 'fs';
import { DataError, type BoxXYWH, type ImageRecord } from '../records';
import { noUsableImages, type SplitSkips } from '../skips';
import { decodeImage, unreadableImage, type RawImage } from '../image/codec';
import { Rng } from '../../random';
import { LRUCache } from 'lru-cache';
import type { Sample } from './geometry';
import {
  assertTransformOptions,
  IMAGENET_NORMALIZATION,
  normalizeInto,
  transformImage,
  transformInfo,
  type Normalization,
  type TransformInfo,
  type TransformOptions,
} from './transform';

/** Maps a record and how its image was transformed to the task's per-item target. */
export type TargetFn<R extends ImageRecord, T> = (record: R, info: TransformInfo) => T;

export interface LoaderOptions extends TransformOptions {
  batchSize: number;
  seed: number;
  /** Shuffle each epoch (seeded by seed and epoch); otherwise record order. */
  shuffle: boolean;
  /** Leave out the last, incomplete batch (training). */
  dropLast: boolean;
  normalization: Normalization;
  /** Bound of the decoded+resized image cache in MB; used only without augmentation; 0 disables. */
  cacheMB: number;
  /** Batches prepared ahead of the one being consumed. */
  prefetch: number;
  /** Undecodable or unreadable images are left out of their batch (and counted in `skips`) instead of throwing. */
  skipBad: boolean;
  /** Where images left out under skipBad are counted (kind `decode`), and how errors name the split. */
  skips?: SplitSkips;
}

export type LoaderSettings = Pick<LoaderOptions, 'width' | 'height' | 'batchSize'> & Partial<LoaderOptions>;

export const LOADER_DEFAULTS: Omit<LoaderOptions, 'width' | 'height' | 'batchSize'> = {
  fit: 'stretch',
  padValue: 114,
  seed: 0,
  shuffle: false,
  dropLast: false,
  normalization: IMAGENET_NORMALIZATION,
  cacheMB: 256,
  prefetch: 1,
  skipBad: false,
};

export interface Batch<R extends ImageRecord, T> {
  epoch: number;
  /** Position of the batch in its epoch. */
  index: number;
  /** [B, H, W, 3] row-major (NHWC). */
  images: Float32Array;
  shape: [number, number, number, 3];
  items: T[];
  records: R[];
}

/** A prepared image kept between epochs (evaluation only): network-size pixels and geometry. */
interface CachedImage {
  sample: Sample;
  original: { width: number; height: number };
}

/** Boxes of records that carry them (detection); none otherwise. */
function boxesOf(record: ImageRecord): readonly BoxXYWH[] {
  const boxes = (record as { boxes?: unknown }).boxes;
  return Array.isArray(boxes) ? (boxes as BoxXYWH[]) : [];
}

/** Lets the event loop run (the consumer's awaits, finished file reads) between items. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class BatchLoader<R extends ImageRecord, T> {
  readonly options: LoaderOptions;
  /** Prepared evaluation images bounded by their bytes (least recently used go first); none while augmenting or at cacheMB 0. */
  private readonly cache: LRUCache<number, CachedImage> | undefined;
  private cacheHits = 0;
  private cacheMisses = 0;
  /** File → one-line reason, for images left out under skipBad. */
  private readonly bad = new Map<string, string>();

  constructor(
    private readonly records: readonly R[],
    private readonly target: TargetFn<R, T>,
    settings: LoaderSettings,
  ) {
    this.options = { ...LOADER_DEFAULTS, ...settings };
    const { batchSize, prefetch, seed, cacheMB } = this.options;
    assertTransformOptions(this.options);
    if (records.length === 0) throw new Error('BatchLoader: no records');
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batch size must be a positive integer, got ${batchSize}`);
    if (!Number.isInteger(prefetch) || prefetch < 0) throw new Error(`prefetch must be an integer >= 0, got ${prefetch}`);
    if (!Number.isSafeInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
    if (!(cacheMB >= 0 && Number.isFinite(cacheMB))) throw new Error(`cache size must be a finite number of MB >= 0, got ${cacheMB}`);
    const cacheBytes = this.options.augment ? 0 : Math.floor(cacheMB * 1024 * 1024);
    // An image larger than the whole bound is not stored (lru-cache's maxEntrySize defaults to maxSize).
    this.cache = cacheBytes > 0 ? new LRUCache({ maxSize: cacheBytes, sizeCalculation: (c) => c.sample.image.data.byteLength + 64 * (1 + c.sample.tracked.boxes.length) }) : undefined;
  }

  get batchesPerEpoch(): number {
    const n = this.records.length / this.options.batchSize;
    return this.options.dropLast ? Math.floor(n) : Math.ceil(n);
  }

  /** Record indices in the order epoch `epoch` visits them. */
  epochOrder(epoch: number): number[] {
    const order = this.records.map((_, i) => i);
    return this.options.shuffle ? Rng.derive(this.options.seed, 'shuffle', epoch).shuffle(order) : order;
  }

  cacheStats(): { bytes: number; maxBytes: number; entries: number; hits: number; misses: number } {
    const { calculatedSize = 0, maxSize = 0, size = 0 } = this.cache ?? {};
    return { bytes: calculatedSize, maxBytes: maxSize, entries: size, hits: this.cacheHits, misses: this.cacheMisses };
  }

  /**
   * The batches of one epoch from `startBatch` on, preparing up to `prefetch` batches ahead.
   * A batch whose images were all skipped is not yielded.
   */
  async *batches(epoch: number, startBatch = 0): AsyncGenerator<Batch<R, T>> {
    if (!Number.isInteger(epoch) || epoch < 0) throw new Error(`epoch must be an integer >= 0, got ${epoch}`);
    const total = this.batchesPerEpoch;
    if (!Number.isInteger(startBatch) || startBatch < 0 || startBatch > total) {
      throw new Error(`startBatch must be an integer in [0, ${total}], got ${startBatch}`);
    }
    const order = this.epochOrder(epoch);
    let yielded = 0;
    const pending: Promise<Batch<R, T> | undefined>[] = [];
    let next = startBatch;
    const launch = (): void => {
      while (pending.length <= this.options.prefetch && next < total) {
        const promise = this.loadBatch(epoch, next++, order);
        promise.catch(() => undefined); // rejection is rethrown where it is awaited, not reported as unhandled
        pending.push(promise);
      }
    };
    try {
      launch();
      while (pending.length > 0) {
        const batch = await pending.shift()!;
        launch();
        if (batch) {
          yielded++;
          yield batch;
        }
      }
    } finally {
      pending.length = 0;
    }
    // Only skipBad empties a whole epoch: stop rather than train or evaluate on nothing.
    if (yielded === 0 && startBatch === 0 && total > 0) throw new DataError(this.noUsableImagesMessage());
  }

  private noUsableImagesMessage(): string {
    const where = this.options.skips?.label ?? 'data';
    // The first in record order: prefetching batches meet their bad files in no fixed order.
    const first = this.records.find((r) => this.bad.has(r.file));
    return noUsableImages(where, this.bad.size, this.records.length, first ? this.bad.get(first.file) : undefined);
  }

  private async loadBatch(epoch: number, index: number, order: number[]): Promise<Batch<R, T> | undefined> {
    const { batchSize, width, height } = this.options;
    const members = order.slice(index * batchSize, (index + 1) * batchSize);
    // Start every uncached read now so the disk works while earlier items are decoded.
    const reads = members.map((i) => (this.cache?.has(i) ? undefined : this.readFile(this.records[i].file)));
    reads.forEach((r) => r?.catch(() => undefined));
    const pixels = width * height * 3;
    const images = new Float32Array(members.length * pixels);
    const items: T[] = [];
    const records: R[] = [];
    for (let k = 0; k < members.length; k++) {
      await yieldToEventLoop();
      const prepared = await this.prepare(members[k], epoch, reads[k]);
      if (!prepared) continue;
      normalizeInto(prepared.sample.image, images, records.length * pixels, this.options.normalization);
      const record = this.records[members[k]];
      items.push(this.target(record, transformInfo(prepared.original, prepared.sample)));
      records.push(record);
    }
    if (records.length === 0) return undefined;
    const used = records.length === members.length ? images : images.slice(0, records.length * pixels);
    return { epoch, index, images: used, shape: [records.length, height, width, 3], items, records };
  }

  /** Decoded and transformed image of one record, or undefined when skipped as bad. */
  private async prepare(recordIndex: number, epoch: number, read: Promise<Uint8Array> | undefined): Promise<CachedImage | undefined> {
    const cached = this.cache?.get(recordIndex);
    if (this.cache) {
      if (cached) this.cacheHits++;
      else this.cacheMisses++;
    }
    if (cached) return cached; // an entry evicted since the batch started is simply read again
    const record = this.records[recordIndex];
    let original: RawImage;
    try {
      original = decodeImage(await (read ?? this.readFile(record.file)), record.file);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (!this.options.skipBad) throw new DataError(message);
      if (!this.bad.has(record.file)) {
        this.bad.set(record.file, message);
        this.options.skips?.addDecodeFailure(record.file, message);
      }
      return undefined;
    }
    const rng = this.options.augment ? Rng.derive(this.options.seed, 'augment', epoch, recordIndex) : undefined;
    const sample = transformImage(original, boxesOf(record), rng, this.options);
    const prepared = { sample, original: { width: original.width, height: original.height } };
    this.cache?.set(recordIndex, prepared);
    return prepared;
  }

  private async readFile(file: string): Promise<Uint8Array> {
    try {
      return await fs.readFile(file);
    } catch (err) {
      throw unreadableImage(file, err);
    }
  }
}
