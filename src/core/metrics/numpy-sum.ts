/**
 * Float64 sums that round exactly like numpy's `np.sum` / `np.mean` on a contiguous 1-D float64
 * array, so that ports of numpy reference code (pycocotools, the ASL mAP) agree to the last bit
 * instead of to a few ulps.
 *
 * numpy reduces with pairwise summation (numpy/_core/src/umath/loops_utils.h.src): fewer than 8
 * values are added left to right; up to 128 values go into 8 interleaved partial sums combined as
 * ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)) plus a sequential tail; longer runs are split at half the
 * length rounded down to a multiple of 8. The reduction starts from the identity 0, so the whole
 * array takes part in the pairwise tree.
 */

/** numpy's unroll factor and block size for pairwise summation. */
const UNROLL = 8;
const BLOCK = 128;

/** Pairwise sum of values[start, start + n) exactly as numpy's DOUBLE_pairwise_sum. */
function pairwiseSum(values: ArrayLike<number>, start: number, n: number): number {
  if (n < UNROLL) {
    let res = -0.0;
    for (let i = 0; i < n; i++) res += values[start + i];
    return res;
  }
  if (n <= BLOCK) {
    let r0 = values[start];
    let r1 = values[start + 1];
    let r2 = values[start + 2];
    let r3 = values[start + 3];
    let r4 = values[start + 4];
    let r5 = values[start + 5];
    let r6 = values[start + 6];
    let r7 = values[start + 7];
    const whole = n - (n % UNROLL);
    let i = UNROLL;
    for (; i < whole; i += UNROLL) {
      const p = start + i;
      r0 += values[p];
      r1 += values[p + 1];
      r2 += values[p + 2];
      r3 += values[p + 3];
      r4 += values[p + 4];
      r5 += values[p + 5];
      r6 += values[p + 6];
      r7 += values[p + 7];
    }
    let res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (; i < n; i++) res += values[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % UNROLL;
  return pairwiseSum(values, start, n2) + pairwiseSum(values, start + n2, n - n2);
}

/** `np.sum(values)` for a 1-D float64 array (0 for an empty one). */
export function numpySum(values: ArrayLike<number>): number {
  return 0 + pairwiseSum(values, 0, values.length);
}

/** `np.mean(values)`: the numpy sum divided by the count; NaN for an empty array, like numpy. */
export function numpyMean(values: ArrayLike<number>): number {
  return numpySum(values) / values.length;
}
