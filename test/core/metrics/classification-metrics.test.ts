import { classificationMetrics, topKAccuracy } from '../../../src/core/metrics/classification-metrics';

/** Independent top-k: stable sort of class indices by descending score. */
function inTopK(row: number[], target: number, k: number): boolean {
  const order = row.map((_, j) => j).sort((a, b) => row[b] - row[a]);
  return order.indexOf(target) < k;
}

describe('classificationMetrics', () => {
  it('computes top1, top5, per-class accuracy and the confusion matrix of a hand-made case', () => {
    const scores = [
      [5, 1, 0, 0, 0, 0],
      [0, 1, 2, 3, 4, 5],
      [1, 1, 0, 0, 0, 0], // tie: argmax is class 0
      [0, 0, 0, 0, 0, 9],
    ];
    const m = classificationMetrics(scores, [0, 1, 1, 2]);
    expect(m.count).toBe(4);
    expect(m.top1).toBe(25);
    // sample 1: class 1 has rank 4 (< 5); sample 2: rank 1; sample 3: class 2 ties with 0, 1, 3, 4 and ranks 3.
    expect(m.top5).toBe(100);
    expect(m.confusion).toEqual([
      [1, 0, 0, 0, 0, 0],
      [1, 0, 0, 0, 0, 1],
      [0, 0, 0, 0, 0, 1],
      [0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0],
    ]);
    expect(m.perClassAccuracy.slice(0, 3)).toEqual([100, 0, 0]);
    expect(m.perClassAccuracy.slice(3).every(Number.isNaN)).toBe(true);
    expect(m.meanClassAccuracy).toBeCloseTo(100 / 3, 12);
  });

  it('breaks top-k ties by lower class index, like a stable sort', () => {
    const m = classificationMetrics([[1, 1, 1, 1, 1, 1]], [5]);
    expect(m.top5).toBe(0);
    expect(classificationMetrics([[1, 1, 1, 1, 1, 1]], [4]).top5).toBe(100);
  });

  it('agrees with an independent sort-based top-1/top-5 on quantised (tie-rich) scores', () => {
    let state = 7;
    const rand = () => (state = (state * 48271) % 2147483647) / 2147483647;
    const n = 300;
    const c = 10;
    const scores = Array.from({ length: n }, () => Array.from({ length: c }, () => Math.floor(rand() * 4)));
    const targets = scores.map(() => Math.floor(rand() * c));
    const m = classificationMetrics({ data: Float32Array.from(scores.flat()), rows: n, cols: c }, Int32Array.from(targets));
    const top1 = targets.filter((t, i) => inTopK(scores[i], t, 1)).length;
    const top5 = targets.filter((t, i) => inTopK(scores[i], t, 5)).length;
    expect(m.top1).toBe((100 * top1) / n);
    expect(m.top5).toBe((100 * top5) / n);
    expect(m.confusion.flat().reduce((a, b) => a + b, 0)).toBe(n);
  });

  it('omits top5 below 5 classes', () => {
    const m = classificationMetrics([[0.1, 0.9]], [1]);
    expect(m.top1).toBe(100);
    expect('top5' in m).toBe(false);
  });

  it('rejects empty input, bad targets and NaN scores', () => {
    expect(() => classificationMetrics([], [])).toThrow('classificationMetrics: scores must be [N, C] with N, C >= 1, got [0, 0]');
    expect(() => classificationMetrics([[1, 2]], [2])).toThrow('classificationMetrics: targets[0] must be an integer class index in [0, 2), got 2');
    expect(() => classificationMetrics([[1, 2]], [0.5])).toThrow('targets[0] must be an integer class index');
    expect(() => classificationMetrics([[1, 2]], [0, 1])).toThrow('targets has 2 entries, expected one per score row (1)');
    expect(() => classificationMetrics([[NaN, 2]], [0])).toThrow('classificationMetrics: scores[0][0] must be a finite number, got NaN');
  });
});

describe('topKAccuracy', () => {
  it('agrees with an independent sort-based top-k for every k on tie-rich scores', () => {
    let state = 11;
    const rand = () => (state = (state * 48271) % 2147483647) / 2147483647;
    const n = 200;
    const c = 7;
    const scores = Array.from({ length: n }, () => Array.from({ length: c }, () => Math.floor(rand() * 3)));
    const targets = scores.map(() => Math.floor(rand() * c));
    for (let k = 1; k <= c + 1; k++) {
      const hits = targets.filter((t, i) => inTopK(scores[i], t, k)).length;
      expect(topKAccuracy(scores, targets, k)).toBe((100 * hits) / n);
    }
    expect(topKAccuracy(scores, targets, c)).toBe(100);
  });

  it('rejects a k that is not a positive integer and targets outside the classes, naming them', () => {
    expect(() => topKAccuracy([[1, 2]], [0], 0)).toThrow('topKAccuracy: k must be an integer >= 1, got 0');
    expect(() => topKAccuracy([[1, 2]], [0], 1.5)).toThrow('topKAccuracy: k must be an integer >= 1, got 1.5');
    expect(() => topKAccuracy([[1, 2]], [2], 1)).toThrow('topKAccuracy: targets[0] must be an integer class index in [0, 2), got 2');
  });
});
