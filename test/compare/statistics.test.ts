import { mean, pairedBootstrapInterval, pairedDifference, quantileSorted, sampleStd, summarize, tInterval } from '../../src/compare/statistics';

/** The exact bootstrap distribution of the mean: all n^n resamples, equally likely. */
function exactBootstrapMeans(d: number[]): number[] {
  const n = d.length;
  const means: number[] = [];
  for (let code = 0; code < n ** n; code++) {
    let sum = 0;
    for (let i = 0, c = code; i < n; i++, c = Math.floor(c / n)) sum += d[c % n];
    means.push(sum / n);
  }
  return means.sort((a, b) => a - b);
}

/** Inverse CDF of the discrete distribution of sorted equally likely values. */
function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

describe('seed statistics', () => {
  it('mean and sample std match hand values', () => {
    expect(mean([2, 4, 9])).toBe(5);
    // Σ(x - 5)² = 9 + 1 + 16 = 26, / (n - 1) = 13
    expect(sampleStd([2, 4, 9])).toBeCloseTo(Math.sqrt(13), 14);
    expect(sampleStd([3])).toBeNaN();
    expect(mean([])).toBeNaN();
    expect(summarize([1, 3])).toEqual({ n: 2, mean: 2, std: Math.SQRT2 });
    expect(() => summarize([1, NaN])).toThrow('value 1 is not a finite number');
  });

  it('type-7 quantiles match numpy', () => {
    // numpy.quantile([1, 2, 4, 8], [0, 0.25, 0.6, 1]) = [1, 1.75, 3.6, 8]
    expect([0, 0.25, 0.6, 1].map((q) => quantileSorted([1, 2, 4, 8], q))).toEqual([1, 1.75, expect.closeTo(3.6, 12), 8]);
  });

  it('the t-interval matches scipy.stats.t.interval', () => {
    // scipy: t.interval(0.95, 4, loc=x.mean(), scale=x.std(ddof=1)/sqrt(5))
    const ci = tInterval([0.5, 1.7, 2.2, -0.3, 1.1])!;
    expect(ci.low).toBeCloseTo(-0.1816358462870289, 10);
    expect(ci.high).toBeCloseTo(2.2616358462870294, 10);
    // By hand: d = [1, 2, 3]: mean 2, sd 1, t(0.975, 2) = 4.302652729749462 → 2 ± 4.3027/√3
    const hand = tInterval([1, 2, 3])!;
    expect(hand.high - 2).toBeCloseTo(4.302652729749462 / Math.sqrt(3), 10);
    expect(tInterval([5])).toBeUndefined();
  });

  it('the paired bootstrap with 3 seeds spans [min Δ, max Δ] (each extreme has mass 1/27 > 2.5%)', () => {
    const ci = pairedBootstrapInterval([11, 10.5, 14], [10, 10, 10])!;
    expect(ci).toEqual({ low: 0.5, high: 4 });
  });

  it('the paired bootstrap matches the exact enumerated bootstrap distribution for 5 seeds', () => {
    const other = [3.1, 2.2, 5.0, 4.4, 1.9];
    const baseline = [2.0, 2.5, 3.0, 2.4, 2.1];
    const exact = exactBootstrapMeans(other.map((v, i) => v - baseline[i]));
    const ci = pairedBootstrapInterval(other, baseline, { resamples: 20_000 })!;
    expect(ci.low).toBeGreaterThanOrEqual(exactQuantile(exact, 0.02) - 1e-12);
    expect(ci.low).toBeLessThanOrEqual(exactQuantile(exact, 0.03) + 1e-12);
    expect(ci.high).toBeGreaterThanOrEqual(exactQuantile(exact, 0.97) - 1e-12);
    expect(ci.high).toBeLessThanOrEqual(exactQuantile(exact, 0.98) + 1e-12);
  });

  it('the bootstrap is deterministic for a seed and depends on it', () => {
    const other = [3.1, 2.2, 5.0, 4.4, 1.9];
    const baseline = [2.0, 2.5, 3.0, 2.4, 2.1];
    const a = pairedBootstrapInterval(other, baseline, { resamples: 500, seed: 7 });
    expect(pairedBootstrapInterval(other, baseline, { resamples: 500, seed: 7 })).toEqual(a);
    expect(pairedBootstrapInterval(other, baseline, { resamples: 500, seed: 8 })).not.toEqual(a);
    expect(pairedBootstrapInterval([1], [0])).toBeUndefined();
    expect(() => pairedBootstrapInterval([1, 2], [0])).toThrow('2 values paired with 1 baseline values');
  });

  it('pairedDifference reports the mean Δ and both intervals; equal Δ gives a zero-width interval', () => {
    const d = pairedDifference([12, 13, 15], [10, 11, 13], 0);
    expect(d).toEqual({ n: 3, mean: 2, t: { low: 2, high: 2 }, bootstrap: { low: 2, high: 2 } });
  });
});
