import * as fs from 'fs';
import * as path from 'path';
import { describeSkips, requireDecodableImage, requireImages, runSkips, SkipLedger, type SkipKind } from '../../../src/core/data/skips';
import { DataError, type Dataset, type ImageRecord } from '../../../src/core/data/records';
import { BatchLoader } from '../../../src/core/data/pipeline/loader';
import { makeTmpDir, removeDir, writeImage } from './formats/fixtures';

const dir = makeTmpDir('skips');
afterAll(() => removeDir(dir));
const good = writeImage(path.join(dir, 'good.png'));
const garbage = path.join(dir, 'garbage.png');
fs.writeFileSync(garbage, 'not an image');
const cut = path.join(dir, 'cut.png');
fs.writeFileSync(cut, fs.readFileSync(good).subarray(0, 40));

const dataset = (source: string, files: string[], reasons: [string, SkipKind][] = []): Dataset<ImageRecord> => ({
  classes: ['a'],
  records: files.map((file) => ({ file })),
  skipped: reasons.map(([reason, kind]) => ({ kind, reason })),
  source,
});

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('skip ledger', () => {
  it('counts the readers’ and the loaders’ skips by kind and split, with an example reason', () => {
    const train = dataset('/d/train.json', [good], [['/d/train.json: annotation 3: unknown category_id 9', 'record']]);
    const val = dataset('/d/val.json', [good], [['/d/val.json: image 2: declared size 9x9, but the image file /d/c.png is 8x8', 'size']]);
    const skips = runSkips(train, val, true);
    skips.train?.addDecodeFailure('/d/a.png', '/d/a.png: not a PNG or JPEG file');
    skips.val.addDecodeFailure('/d/b.png', '/d/b.png: cannot decode image (x)');
    skips.val.addDecodeFailure('/d/b.png', '/d/b.png: cannot decode image (x)'); // met again by another epoch or loader
    const counts = skips.ledger.counts();
    expect(counts).toEqual({
      total: 4,
      byKind: { record: 1, decode: 2, size: 1 },
      bySplit: { train: 2, val: 2 },
      first: '/d/train.json: annotation 3: unknown category_id 9',
    });
    expect(describeSkips(counts)).toBe('skipped 4 (record 1, decode 2, size 1)');
    expect(skips.val.label).toBe('val split (/d/val.json)');
  });

  it('picks the same example reason whatever order the loaders met their bad files in', () => {
    const firsts = [['/d/b.png', '/d/a.png'], ['/d/a.png', '/d/b.png']].map((files) => {
      const skips = runSkips(dataset('/d/train.json', [good]), dataset('/d/val.json', [good]), true);
      skips.val.add({ kind: 'record', reason: '/d/val.json: annotation 1: unknown category_id 9' });
      for (const file of files) skips.train?.addDecodeFailure(file, `${file}: not a PNG or JPEG file`);
      return skips.ledger.counts().first;
    });
    expect(firsts).toEqual(['/d/a.png: not a PNG or JPEG file', '/d/a.png: not a PNG or JPEG file']);
  });

  it('reports nothing when nothing was skipped, and an evaluation-only read has no train entry', () => {
    const skips = runSkips(undefined, dataset('/d/val.csv', [good]), false);
    expect(skips.train).toBeUndefined();
    const counts = skips.ledger.counts();
    expect(counts).toEqual({ total: 0, byKind: { record: 0, decode: 0, size: 0 }, bySplit: { train: 0, val: 0 } });
    expect(describeSkips(counts)).toBe('');
    expect(new SkipLedger().counts().total).toBe(0);
  });
});

describe('splits without a usable image', () => {
  it('requireImages names the empty split, its source and why it is empty', () => {
    const full = dataset('/d/train.csv', [good]);
    expect(requireImages('train', full)).toBe(full);
    const cases: [Dataset<ImageRecord>, string][] = [
      [dataset('/d/train.csv', []), 'train split (/d/train.csv): no usable images: it lists none'],
      [
        dataset('/d/train.csv', [], [['/d/train.csv:2: empty tags', 'record'], ['/d/train.csv:3: empty tags', 'record']]),
        'train split (/d/train.csv): no usable images: --skip-bad skipped 2 bad records, leaving none; first: /d/train.csv:2: empty tags',
      ],
    ];
    for (const [empty, message] of cases) {
      const error = thrown(() => requireImages('train', empty));
      expect(error).toBeInstanceOf(DataError);
      expect(error.message).toBe(message);
    }
  });

  it('requireDecodableImage stops at the first image that decodes, counting the failures before it once each', async () => {
    const skips = new SkipLedger().open('train', '/d/train.json', []);
    // The garbage file after the good one is never read here: one decode for a sound split.
    requireDecodableImage([{ file: cut }, { file: good }, { file: garbage }], skips, true);
    expect(skips.entries).toEqual([{ kind: 'decode', reason: expect.stringMatching(new RegExp(`^${cut}: cannot decode image \\(`)) }]);
    // The loader meets the same two bad files later: the split counts each once.
    const loader = new BatchLoader([{ file: cut }, { file: good }, { file: garbage }], () => 0, { width: 4, height: 4, batchSize: 3, skipBad: true, skips });
    for await (const batch of loader.batches(0)) expect(batch.shape[0]).toBe(1);
    expect(skips.entries.map((s) => s.reason)).toEqual([expect.stringContaining(cut), `${garbage}: not a PNG or JPEG file`]);
  });

  it('requireDecodableImage stops a split whose every image fails, before any training; without skipBad at the first', () => {
    const files = [garbage, cut, path.join(dir, 'missing.png')];
    const skips = new SkipLedger().open('val', '/d/val.json', []);
    const error = thrown(() => requireDecodableImage(files.map((file) => ({ file })), skips, true));
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toBe(
      `val split (/d/val.json): no usable images: 3 of its 3 images could not be read or decoded (skipped by --skip-bad); first: ${garbage}: not a PNG or JPEG file`,
    );
    expect(skips.entries.map((s) => s.reason)).toEqual([
      `${garbage}: not a PNG or JPEG file`, expect.stringContaining(`${cut}: cannot decode image`), `${files[2]}: cannot read image file (ENOENT)`,
    ]);
    const strict = thrown(() => requireDecodableImage([{ file: cut }, { file: good }], new SkipLedger().open('val', '/d/val.json', []), false));
    expect(strict).toBeInstanceOf(DataError);
    expect(strict.message).toMatch(new RegExp(`^${cut}: cannot decode image \\(`));
  });
});
