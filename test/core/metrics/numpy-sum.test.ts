import { numpyMean, numpySum } from '../../../src/core/metrics/numpy-sum';
import oracle from './numpy-oracle.json';

/** The oracle's deterministic values (exact in float64 both here and in numpy). */
function oracleValues(length: number): Float64Array {
  const v = new Float64Array(length);
  for (let i = 0; i < length; i++) v[i] = ((i * 7919) % 10007) / 101 - 50;
  return v;
}

function leftToRightSum(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return s;
}

describe('numpySum', () => {
  it('rounds bit-exactly like np.sum for lengths around every pairwise boundary', () => {
    oracle.sums.lengths.forEach((length, i) => {
      expect(numpySum(oracleValues(length))).toBe(oracle.sums.np_sum[i]);
    });
  });

  it('differs from a left-to-right sum where numpy does (so the exactness test has teeth)', () => {
    const differing = oracle.sums.lengths.filter((length, i) => leftToRightSum(oracleValues(length)) !== oracle.sums.np_sum[i]);
    expect(differing.length).toBeGreaterThan(0);
  });

  it('sums short arrays left to right and an empty one to 0', () => {
    expect(numpySum([])).toBe(0);
    expect(numpySum([0.1, 0.2, 0.3])).toBe(0.1 + 0.2 + 0.3);
    expect(numpySum(new Float32Array([1, 2, 3]))).toBe(6);
  });

  it('takes the mean as sum / count (np.mean of [] is NaN)', () => {
    expect(numpyMean([1, 2, 3, 4])).toBe(2.5);
    expect(numpyMean([])).toBeNaN();
  });
});
