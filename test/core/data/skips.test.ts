import { describeSkips, requireImages, runSkips, SkipLedger } from '../../../src/core/data/skips';
import { DataError, type Dataset, type ImageRecord } from '../../../src/core/data/records';

const dataset = (source: string, records: ImageRecord[], reasons: [string, 'record' | 'size'][] = []): Dataset<ImageRecord> => ({
  classes: ['a'],
  records,
  skipped: reasons.map(([reason, kind]) => ({ kind, reason })),
  source,
});

describe('skip ledger', () => {
  it('counts the readers’ and the loaders’ skips by kind and split, the first reason kept', () => {
    const train = dataset('/d/train.json', [{ file: '/d/a.png' }], [['/d/train.json: annotation 3: unknown category_id 9', 'record']]);
    const val = dataset('/d/val.json', [{ file: '/d/b.png' }], [['/d/val.json: image 2: declared size 9x9, but the image file /d/c.png is 8x8', 'size']]);
    const skips = runSkips(train, val);
    skips.train?.add({ kind: 'decode', reason: '/d/a.png: not a PNG or JPEG file' });
    skips.val.add({ kind: 'decode', reason: '/d/b.png: cannot decode image (x)' });
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
      const skips = runSkips(dataset('/d/train.json', [{ file: '/d/c.png' }]), dataset('/d/val.json', [{ file: '/d/d.png' }]));
      skips.val.add({ kind: 'record', reason: '/d/val.json: annotation 1: unknown category_id 9' });
      for (const file of files) skips.train?.add({ kind: 'decode', reason: `${file}: not a PNG or JPEG file` });
      return skips.ledger.counts().first;
    });
    expect(firsts).toEqual(['/d/a.png: not a PNG or JPEG file', '/d/a.png: not a PNG or JPEG file']);
  });

  it('reports nothing when nothing was skipped, and an evaluation-only read has no train entry', () => {
    const skips = runSkips(undefined, dataset('/d/val.csv', [{ file: '/d/b.png' }]));
    expect(skips.train).toBeUndefined();
    const counts = skips.ledger.counts();
    expect(counts).toEqual({ total: 0, byKind: { record: 0, decode: 0, size: 0 }, bySplit: { train: 0, val: 0 } });
    expect(describeSkips(counts)).toBe('');
    expect(new SkipLedger().counts().total).toBe(0);
  });

  it('requireImages names the empty split, its source and why it is empty', () => {
    const full = dataset('/d/train.csv', [{ file: '/d/a.png' }]);
    expect(requireImages('train', full)).toBe(full);
    const cases: [Dataset<ImageRecord>, string][] = [
      [dataset('/d/train.csv', []), 'train split (/d/train.csv): no usable images: it lists none'],
      [
        dataset('/d/train.csv', [], [['/d/train.csv:2: empty tags', 'record'], ['/d/train.csv:3: empty tags', 'record']]),
        'train split (/d/train.csv): no usable images: --skip-bad skipped 2 bad records, leaving none; first: /d/train.csv:2: empty tags',
      ],
    ];
    for (const [empty, message] of cases) {
      expect(() => requireImages('train', empty)).toThrow(new DataError(message));
      expect(() => requireImages('train', empty)).toThrow(DataError);
    }
  });
});
