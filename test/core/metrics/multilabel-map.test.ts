import { multilabelMAP } from '../../../src/core/metrics/multilabel-map';
import { readFixture } from '../../fixtures/read-fixture';
import oracle from './numpy-oracle.json';

interface MapCase {
  id: string;
  preds: number[][];
  targets: number[][];
  per_class_ap: number[];
  mAP: number;
}
const aslCases: MapCase[] = readFixture('asl_reference.json').map;

describe('multilabelMAP against the ASL reference', () => {
  it.each(aslCases.map((c) => [c.id, c] as const))('%s: per-class AP and mAP equal the reference bit for bit', (_id, c) => {
    const r = multilabelMAP(c.preds, c.targets);
    expect(r.perClassAP).toEqual(c.per_class_ap);
    expect(r.mAP).toBe(c.mAP);
  });

  it('is bit-exact with numpy running the reference on 1000 samples (pairwise sums, an empty and a full class)', () => {
    const r = multilabelMAP(oracle.map.scores, oracle.map.targets);
    expect(r.perClassAP).toEqual(oracle.map.per_class_ap);
    expect(r.mAP).toBe(oracle.map.mAP);
    expect(r.perClassAP[2]).toBe(0);
  });
});

describe('multilabelMAP ranking rules', () => {
  it('follows the hand-computed formula: positives at ranks 1 and 3 of 4', () => {
    const r = multilabelMAP([[0.9], [0.8], [0.7], [0.1]], [[1], [0], [1], [0]]);
    expect(r.perClassAP[0]).toBe((1 / 1 + 2 / 3) / (2 + 1e-8));
  });

  it('ranks equal scores with the later sample first (reference order for numpy scalar sort)', () => {
    expect(multilabelMAP([[0.5], [0.5]], [[1], [0]]).perClassAP[0]).toBe(1 / 2 / (1 + 1e-8));
    expect(multilabelMAP([[0.5], [0.5]], [[0], [1]]).perClassAP[0]).toBe(1 / (1 + 1e-8));
  });

  it('counts a class without positives as 0 in the mean', () => {
    const r = multilabelMAP([[0.9, 0.2], [0.1, 0.3]], [[1, 0], [0, 0]]);
    expect(r.perClassAP).toEqual([1 / (1 + 1e-8), 0]);
    expect(r.mAP).toBe((100 * (1 / (1 + 1e-8))) / 2);
  });

  it('returns 0 for no samples, like the reference', () => {
    expect(multilabelMAP({ data: new Float32Array(0), rows: 0, cols: 3 }, { data: [], rows: 0, cols: 3 })).toEqual({
      mAP: 0,
      perClassAP: [0, 0, 0],
    });
    expect(multilabelMAP([], [])).toEqual({ mAP: 0, perClassAP: [] });
  });
});

describe('multilabelMAP inputs', () => {
  const scores = oracle.map.scores.slice(0, 50).map((row) => row.map((v) => Math.fround(v)));
  const targets = oracle.map.targets.slice(0, 50);
  const expected = multilabelMAP(scores, targets);

  it('gives the same result for Float32Array rows and for a flat matrix', () => {
    expect(multilabelMAP(scores.map((r) => Float32Array.from(r)), targets)).toEqual(expected);
    const flat = { data: Float32Array.from(scores.flat()), rows: 50, cols: 4 };
    expect(multilabelMAP(flat, { data: Uint8Array.from(targets.flat()), rows: 50, cols: 4 })).toEqual(expected);
  });

  it('rejects mismatched shapes, ragged rows, non-binary targets and NaN scores with a clear message', () => {
    expect(() => multilabelMAP([[0.1, 0.2]], [[1]])).toThrow('multilabelMAP: scores and targets: shapes differ, [1, 2] vs [1, 1]');
    expect(() => multilabelMAP([[0.1, 0.2], [0.3]], [[1, 0], [0, 1]])).toThrow('multilabelMAP: scores[1] must be a row of 2 numbers');
    expect(() => multilabelMAP([[0.1]], [[0.5]])).toThrow('multilabelMAP: targets[0][0] must be 0 or 1, got 0.5');
    expect(() => multilabelMAP([[NaN]], [[1]])).toThrow('multilabelMAP: scores[0][0] must be a finite number, got NaN');
    expect(() => multilabelMAP({ data: [1, 2, 3], rows: 2, cols: 2 }, [[1]])).toThrow('expected rows * cols = 4');
  });

  it('handles 10000 x 80 quickly', () => {
    const n = 10000;
    const c = 80;
    const data = new Float32Array(n * c);
    const hot = new Uint8Array(n * c);
    for (let p = 0; p < n * c; p++) {
      data[p] = ((p * 2654435761) % 1000003) / 1000003;
      hot[p] = (p * 40503) % 29 === 0 ? 1 : 0;
    }
    const start = Date.now();
    const r = multilabelMAP({ data, rows: n, cols: c }, { data: hot, rows: n, cols: c });
    const ms = Date.now() - start;
    expect(r.perClassAP).toHaveLength(c);
    expect(r.mAP).toBeGreaterThan(0);
    expect(ms).toBeLessThan(3000);
  });
});
