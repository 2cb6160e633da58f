import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { encodePng } from '../../../../src/core/data/image/codec';
import { DataError, type DetectionRecord, type ImageRecord } from '../../../../src/core/data/records';
import { BatchLoader, type Batch, type LoaderSettings } from '../../../../src/core/data/pipeline/loader';
import { SkipLedger } from '../../../../src/core/data/skips';
import type { TransformInfo } from '../../../../src/core/data/pipeline/transform';

let dir: string;
/** 12 RGB PNGs of 12x8 pixels; image i has pixel (x, y, c) = (i * 20 + x * 3 + y * 5 + c) mod 256. */
let records: ImageRecord[];

function pixel(i: number, x: number, y: number, c: number): number {
  return (i * 20 + x * 3 + y * 5 + c) % 256;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'asl-loader-'));
  records = Array.from({ length: 12 }, (_, i) => {
    const data = new Uint8Array(12 * 8 * 3);
    for (let y = 0; y < 8; y++) for (let x = 0; x < 12; x++) for (let c = 0; c < 3; c++) data[(y * 12 + x) * 3 + c] = pixel(i, x, y, c);
    const file = join(dir, `img${i}.png`);
    writeFileSync(file, encodePng({ width: 12, height: 8, channels: 3, data }));
    return { file };
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect<R extends ImageRecord, T>(it: AsyncGenerator<Batch<R, T>>): Promise<Batch<R, T>[]> {
  const out: Batch<R, T>[] = [];
  for await (const b of it) out.push(b);
  return out;
}

/** Target function of the tests: the record's position in `records`. */
const byIndex = (r: ImageRecord): number => records.indexOf(r);

const trainSettings: LoaderSettings = {
  width: 8,
  height: 8,
  batchSize: 5,
  seed: 11,
  shuffle: true,
  augment: { randomResizedCrop: { scale: [0.3, 1], ratio: [0.75, 1.33] }, hflip: 0.5, cutout: { holes: 1, size: 0.25, fill: 'random' } },
};

describe('BatchLoader', () => {
  it('reads, keeps size, normalises to NHWC float32 in record order', async () => {
    const loader = new BatchLoader(records, byIndex, { width: 12, height: 8, batchSize: 5, normalization: 'unit' });
    const batches = await collect(loader.batches(0));
    expect(batches.map((b) => b.shape)).toEqual([[5, 8, 12, 3], [5, 8, 12, 3], [2, 8, 12, 3]]);
    expect(batches.flatMap((b) => b.items)).toEqual(records.map((_, i) => i));
    const b = batches[1]; // records 5..9
    for (const [k, x, y, c] of [[0, 0, 0, 0], [2, 11, 7, 2], [4, 5, 3, 1]]) {
      expect(b.images[((k * 8 + y) * 12 + x) * 3 + c]).toBeCloseTo(pixel(5 + k, x, y, c) / 255, 6);
    }
  });

  it('applies mean/std normalisation per channel', async () => {
    const normalization = { mean: [0.5, 0.25, 0.125] as [number, number, number], std: [0.5, 0.25, 2] as [number, number, number] };
    const loader = new BatchLoader(records.slice(0, 1), byIndex, { width: 12, height: 8, batchSize: 1, normalization });
    const [batch] = await collect(loader.batches(0));
    for (let c = 0; c < 3; c++) expect(batch.images[c]).toBeCloseTo((pixel(0, 0, 0, c) / 255 - normalization.mean[c]) / normalization.std[c], 5);
  });

  it('gives identical batches for the same seed and epoch, whatever the prefetch', async () => {
    const a = await collect(new BatchLoader(records, byIndex, { ...trainSettings, prefetch: 0 }).batches(3));
    const b = await collect(new BatchLoader(records, byIndex, { ...trainSettings, prefetch: 3 }).batches(3));
    expect(b.map((x) => x.items)).toEqual(a.map((x) => x.items));
    b.forEach((x, i) => expect(Array.from(x.images)).toEqual(Array.from(a[i].images)));
    const items = a.flatMap((x) => x.items);
    expect([...items].sort((p, q) => p - q)).toEqual(records.map((_, i) => i)); // a permutation
    const other = await collect(new BatchLoader(records, byIndex, trainSettings).batches(4));
    expect(other.flatMap((x) => x.items)).not.toEqual(items);
    const otherSeed = await collect(new BatchLoader(records, byIndex, { ...trainSettings, seed: 12 }).batches(3));
    expect(otherSeed.flatMap((x) => x.items)).not.toEqual(items);
  });

  it('resumed at batch k yields the tail of the full epoch', async () => {
    const loader = new BatchLoader(records, byIndex, trainSettings);
    const full = await collect(loader.batches(2));
    const tail = await collect(new BatchLoader(records, byIndex, trainSettings).batches(2, 1));
    expect(tail.map((b) => b.index)).toEqual([1, 2]);
    tail.forEach((b, i) => {
      expect(b.items).toEqual(full[i + 1].items);
      expect(Array.from(b.images)).toEqual(Array.from(full[i + 1].images));
    });
    expect(await collect(loader.batches(2, 3))).toEqual([]);
    await expect(collect(loader.batches(2, 4))).rejects.toThrow(/startBatch must be an integer in \[0, 3\]/);
  });

  it('drops the last incomplete batch when asked', async () => {
    const loader = new BatchLoader(records, byIndex, { ...trainSettings, dropLast: true });
    expect(loader.batchesPerEpoch).toBe(2);
    expect((await collect(loader.batches(0))).map((b) => b.shape[0])).toEqual([5, 5]);
  });

  it('keeps the evaluation cache within its byte bound and returns the same pixels from it', async () => {
    // An 8x8x3 image is 192 bytes + 64 bytes of bookkeeping: three fit in 800 bytes.
    // No prefetch: overlapping batches would interleave insertions and make the cache's content timing-dependent.
    const settings: LoaderSettings = { width: 8, height: 8, batchSize: 3, prefetch: 0, cacheMB: 800 / (1024 * 1024) };
    const cached = new BatchLoader(records, byIndex, settings);
    const first = await collect(cached.batches(0));
    expect(cached.cacheStats()).toMatchObject({ entries: 3, bytes: 768, hits: 0 });
    // Records 9, 10, 11 are the most recent; resuming at the batch that holds them hits three times.
    const tail = new BatchLoader(records, byIndex, settings);
    await collect(tail.batches(0));
    const again = await collect(tail.batches(0, 3));
    expect(tail.cacheStats()).toMatchObject({ hits: 3, entries: 3 });
    expect(Array.from(again[0].images)).toEqual(Array.from(first[3].images));
    const uncached = await collect(new BatchLoader(records, byIndex, { ...settings, cacheMB: 0 }).batches(0));
    uncached.forEach((b, i) => expect(Array.from(b.images)).toEqual(Array.from(first[i].images)));
    // An image larger than the whole bound is not stored.
    const tooSmall = new BatchLoader(records, byIndex, { ...settings, cacheMB: 200 / (1024 * 1024) });
    await collect(tooSmall.batches(0));
    expect(tooSmall.cacheStats()).toMatchObject({ entries: 0, bytes: 0, maxBytes: 200 });
    expect(() => new BatchLoader(records, byIndex, { ...settings, cacheMB: -1 })).toThrow('cache size must be a finite number of MB >= 0, got -1');
  });

  it('does not cache when augmenting', async () => {
    const loader = new BatchLoader(records, byIndex, { ...trainSettings, cacheMB: 100 });
    await collect(loader.batches(0));
    expect(loader.cacheStats().entries).toBe(0);
  });

  it('names the bad file in a DataError, or skips it under skipBad', async () => {
    const bad = join(dir, 'broken.png');
    writeFileSync(bad, Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]));
    const withBad = [records[0], { file: bad }, records[1], { file: join(dir, 'missing.png') }];
    const strict = new BatchLoader(withBad, byIndex, { width: 4, height: 4, batchSize: 2 });
    const error = await collect(strict.batches(0)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toContain(`${bad}: cannot decode image`);
    const missing = new BatchLoader(withBad.slice(3), byIndex, { width: 4, height: 4, batchSize: 2 });
    await expect(collect(missing.batches(0))).rejects.toThrow(`${join(dir, 'missing.png')}: cannot read image file (ENOENT)`);
    const skips = new SkipLedger().open('train', dir, []);
    const lenient = new BatchLoader(withBad, byIndex, { width: 4, height: 4, batchSize: 2, skipBad: true, skips });
    const batches = await collect(lenient.batches(0));
    expect(batches.map((b) => b.items)).toEqual([[0], [1]]);
    expect(batches.map((b) => b.images.length)).toEqual([48, 48]);
    expect(skips.entries.map((s) => s.kind)).toEqual(['decode', 'decode']);
    // Prefetched batches meet their bad files in no fixed order.
    const reasons = skips.entries.map((s) => s.reason);
    expect(reasons.filter((r) => r.includes(`${bad}: cannot decode image`))).toHaveLength(1);
    expect(reasons.filter((r) => r.includes(`${join(dir, 'missing.png')}: cannot read image file (ENOENT)`))).toHaveLength(1);
  });

  it('counts each undecodable file once as a decode skip, however many epochs visit it', async () => {
    const bad = join(dir, 'garbage.png');
    writeFileSync(bad, 'garbage');
    const skips = new SkipLedger().open('train', '/data/train.csv', []);
    const loader = new BatchLoader([records[0], { file: bad }, records[1]], byIndex, { width: 4, height: 4, batchSize: 2, shuffle: true, skipBad: true, skips });
    for (const epoch of [0, 1, 2]) expect((await collect(loader.batches(epoch))).flatMap((b) => b.items).sort()).toEqual([0, 1]);
    expect(skips.entries).toEqual([{ kind: 'decode', reason: `${bad}: not a PNG or JPEG file` }]);
  });

  it('stops an epoch in which every image was skipped, naming the split and the first reason', async () => {
    const bad = [join(dir, 'bad1.png'), join(dir, 'bad2.png')];
    bad.forEach((file) => writeFileSync(file, Buffer.from([0x89, 0x50, 0x4e, 0x47, 9])));
    const skips = new SkipLedger().open('val', '/data/val.json', []);
    const loader = new BatchLoader(bad.map((file) => ({ file })), byIndex, { width: 4, height: 4, batchSize: 1, skipBad: true, skips });
    const error = await collect(loader.batches(0)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(
      new RegExp(`^val split \\(/data/val\\.json\\): no usable images: 2 of its 2 images could not be read or decoded \\(skipped by --skip-bad\\); first: ${bad[0]}: cannot decode image`),
    );
    expect(skips.entries.map((s) => s.kind)).toEqual(['decode', 'decode']);
  });

  it('hands the task its transformed boxes and the map back to the original image', async () => {
    const det: DetectionRecord = {
      ...records[0],
      imageId: 1,
      width: 12,
      height: 8,
      boxes: [[0, 0, 6, 4], [6, 4, 6, 4]],
      labels: [3, 5],
      ignore: [false, true],
      areas: [24, 24],
    };
    const target = (r: DetectionRecord, info: TransformInfo) => ({ info, labels: info.boxIndex.map((i) => r.labels[i]) });
    const loader = new BatchLoader([det], target, { width: 24, height: 24, batchSize: 1, fit: 'letterbox' });
    const [batch] = await collect(loader.batches(0));
    const { info, labels } = batch.items[0];
    // 12x8 into 24x24: scale 2 → 24x16, offset y 4.
    expect(info.affine).toEqual({ sx: 2, sy: 2, tx: 0, ty: 4 });
    expect(info.boxes).toEqual([[0, 4, 12, 8], [12, 12, 12, 8]]);
    expect(labels).toEqual([3, 5]);
    expect([info.originalWidth, info.originalHeight, info.width, info.height]).toEqual([12, 8, 24, 24]);
  });

  it('rejects inconsistent options with a clear message', () => {
    expect(() => new BatchLoader(records, byIndex, { width: 8, height: 8, batchSize: 0 })).toThrow(/batch size must be a positive integer/);
    expect(
      () =>
        new BatchLoader(records, byIndex, {
          ...trainSettings,
          augment: { randomResizedCrop: { scale: [0.5, 1], ratio: [1, 1] }, scaleJitter: { scale: [0.5, 1.5], fill: 0 } },
        }),
    ).toThrow(/alternatives/);
  });
});
