import { multilabelMAP } from '../../../src/core/metrics/multilabel-map';
import { multilabelMetrics } from '../../../src/core/metrics/multilabel-metrics';

/** ML-GCN's evaluation (util.py AveragePrecisionMeter.evaluation) transcribed on probabilities. */
function mlgcnReference(probs: number[][], targets: number[][]) {
  const c = probs[0].length;
  const Nc: number[] = [];
  const Np: number[] = [];
  const Ng: number[] = [];
  for (let k = 0; k < c; k++) {
    const col = probs.map((r) => r[k]);
    const tcol = targets.map((r) => r[k]);
    Ng.push(tcol.filter((t) => t === 1).length);
    Np.push(col.filter((p) => p >= 0.5).length || 1); // Np[Np == 0] = 1
    Nc.push(col.filter((p, i) => p >= 0.5 && tcol[i] === 1).length);
  }
  const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
  const OP = sum(Nc) / sum(Np);
  const OR = sum(Nc) / sum(Ng);
  const CP = sum(Nc.map((n, k) => n / Np[k])) / c;
  const CR = sum(Nc.map((n, k) => n / Ng[k])) / c;
  return { OP, OR, OF1: (2 * OP * OR) / (OP + OR), CP, CR, CF1: (2 * CP * CR) / (CP + CR) };
}

/** Deterministic pseudo-random data in which every class has positives. */
function makeData(n: number, c: number) {
  let state = 12345;
  const rand = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const targets = Array.from({ length: n }, () => Array.from({ length: c }, () => (rand() < 0.3 ? 1 : 0)));
  const probs = targets.map((row) => row.map((t) => Math.min(1, rand() * 0.7 + t * rand() * 0.5)));
  return { probs, targets };
}

describe('multilabelMetrics', () => {
  it('matches a hand-computed 3 x 3 case, including a class without positives and p = threshold', () => {
    const probs = [
      [0.9, 0.6, 0.1],
      [0.4, 0.7, 0.2],
      [0.8, 0.3, 0.5],
    ];
    const targets = [
      [1, 0, 0],
      [1, 1, 0],
      [0, 1, 0],
    ];
    const m = multilabelMetrics(probs, targets);
    // class 0: Nc 1, Np 2, Ng 2; class 1: Nc 1, Np 2, Ng 2; class 2: Nc 0, Np 1 (p = 0.5), Ng 0.
    expect(m.CP).toBeCloseTo(100 / 3, 12);
    expect(m.CR).toBeCloseTo(100 / 3, 12);
    expect(m.CF1).toBeCloseTo(100 / 3, 12);
    expect(m.OP).toBeCloseTo(40, 12);
    expect(m.OR).toBeCloseTo(50, 12);
    expect(m.OF1).toBeCloseTo((2 * 40 * 50) / 90, 12);
    expect(m.meanProbPositives).toBeCloseTo((0.9 + 0.4 + 0.7 + 0.3) / 4, 15);
    expect(m.meanProbNegatives).toBeCloseTo((0.6 + 0.1 + 0.2 + 0.8 + 0.5) / 5, 15);
    expect(m.probabilityGap).toBeCloseTo(0.575 - (1 - 0.44), 14);
    const ap = (1 + 2 / 3) / (2 + 1e-8);
    expect(m.perClassAP).toEqual([ap, ap, 0]);
    expect(m.mAP).toBe(multilabelMAP(probs, targets).mAP);
    expect(m.threshold).toBe(0.5);
  });

  it('agrees with the ML-GCN evaluation where that is defined (every class has positives)', () => {
    const { probs, targets } = makeData(200, 7);
    const m = multilabelMetrics(probs, targets);
    const ref = mlgcnReference(probs, targets);
    for (const key of ['CP', 'CR', 'CF1', 'OP', 'OR', 'OF1'] as const) expect(m[key]).toBeCloseTo(100 * ref[key], 10);
  });

  it('applies a custom threshold and reports zeros when nothing is predicted', () => {
    const m = multilabelMetrics([[0.9, 0.2]], [[1, 1]], { threshold: 0.95 });
    expect([m.CP, m.CR, m.CF1, m.OP, m.OR, m.OF1]).toEqual([0, 0, 0, 0, 0, 0]);
    const perfect = multilabelMetrics([[0.9, 0.2]], [[1, 0]]);
    expect([perfect.CP, perfect.OP, perfect.OR, perfect.OF1]).toEqual([50, 100, 100, 100]);
    expect(perfect.CR).toBe(50); // class 1 has no positives: recall 0 counts
  });

  it('gives NaN probability means (and gap) when there are no positive labels', () => {
    const m = multilabelMetrics([[0.2, 0.4]], [[0, 0]]);
    expect(m.meanProbPositives).toBeNaN();
    expect(m.probabilityGap).toBeNaN();
    expect(m.meanProbNegatives).toBeCloseTo(0.3, 15);
  });

  it('rejects logits, a bad threshold and non-binary targets', () => {
    expect(() => multilabelMetrics([[1.5]], [[1]])).toThrow(
      'multilabelMetrics: probs[0][0] must be in [0, 1] (pass sigmoid outputs, not logits), got 1.5',
    );
    expect(() => multilabelMetrics([[0.5]], [[1]], { threshold: 2 })).toThrow('options.threshold must be in [0, 1], got 2');
    expect(() => multilabelMetrics([[0.5]], [[-1]])).toThrow('multilabelMetrics: targets[0][0] must be 0 or 1, got -1');
  });

  it('takes a flat Float32Array matrix', () => {
    const { probs, targets } = makeData(30, 4);
    const f32 = probs.map((r) => r.map((v) => Math.fround(v)));
    const flat = multilabelMetrics({ data: Float32Array.from(f32.flat()), rows: 30, cols: 4 }, targets);
    expect(flat).toEqual(multilabelMetrics(f32, targets));
  });
});
