import { logGamma, regularizedBeta, studentTCdf, studentTQuantile } from '../../src/compare/student-t';

// scipy 1.17 stats.t.ppf / stats.t.cdf (an independent implementation: Boost's incomplete beta).
const SCIPY_PPF: [number, number, number][] = [
  // [df, ppf(0.975), ppf(0.9)]
  [1, 12.706204736174694, 3.0776835371752544],
  [2, 4.302652729749462, 1.8856180831641272],
  [3, 3.1824463052837078, 1.637744353696209],
  [4, 2.7764451051977934, 1.533206274058944],
  [7, 2.364624251592784, 1.4149239276505086],
  [10, 2.228138851986274, 1.372183641110336],
  [29, 2.045229642132703, 1.311433647301551],
  [100, 1.9839715185235518, 1.290074761346516],
];
const SCIPY_CDF_AT_1_5: [number, number][] = [
  [1, 0.8128329581890011], [2, 0.8638034375544994], [3, 0.8847080673775886], [4, 0.896],
  [7, 0.911350756505015], [10, 0.9177463367772799], [29, 0.9277881519798071], [100, 0.9316174709376556],
];

describe('Student t distribution', () => {
  it('ln Γ matches exact factorials and Γ(1/2) = √π', () => {
    expect(logGamma(1)).toBeCloseTo(0, 13);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(11)).toBeCloseTo(Math.log(3628800), 11);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(logGamma(0.1)).toBeCloseTo(2.252712651734206, 11); // ln Γ(0.1), reflection branch
  });

  it('I_x(a, 1) = x^a and I_x(1, b) = 1 - (1 - x)^b (closed forms)', () => {
    for (const x of [0.01, 0.3, 0.77, 0.999]) {
      expect(regularizedBeta(x, 2.5, 1)).toBeCloseTo(x ** 2.5, 12);
      expect(regularizedBeta(x, 1, 3.5)).toBeCloseTo(1 - (1 - x) ** 3.5, 12);
    }
    expect(regularizedBeta(0, 2, 3)).toBe(0);
    expect(regularizedBeta(1, 2, 3)).toBe(1);
  });

  it('the CDF matches the closed forms for df 1 (Cauchy) and df 2', () => {
    for (const t of [-7, -1.3, 0, 0.4, 2, 25]) {
      expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 12);
      expect(studentTCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(t * t + 2)), 12);
    }
  });

  it('the CDF and quantiles match scipy', () => {
    for (const [df, p] of SCIPY_CDF_AT_1_5) {
      expect(studentTCdf(1.5, df)).toBeCloseTo(p, 12);
      expect(studentTCdf(-1.5, df)).toBeCloseTo(1 - p, 12);
    }
    for (const [df, q975, q90] of SCIPY_PPF) {
      expect(studentTQuantile(0.975, df)).toBeCloseTo(q975, 9);
      expect(studentTQuantile(0.9, df)).toBeCloseTo(q90, 9);
      expect(studentTQuantile(0.025, df)).toBeCloseTo(-q975, 9);
    }
    expect(studentTQuantile(0.5, 3)).toBe(0);
  });

  it('rejects degenerate arguments with clear messages', () => {
    expect(() => studentTQuantile(1, 3)).toThrow('p must be in (0, 1)');
    expect(() => studentTCdf(1, 0)).toThrow('degrees of freedom must be a positive number');
    expect(() => regularizedBeta(1.2, 1, 1)).toThrow('x must be in [0, 1]');
  });
});
