/**
 * Multi-label mAP exactly as the ASL reference computes it (Alibaba-MIIL/ASL,
 * src/helper_functions/helper_functions.py: `mAP` and `average_precision`).
 *
 * Per class k, rank the N samples by score, highest first; with pos(i) the number of positives
 * among the first i ranked samples,
 *   AP_k = Σ_{positive at rank i} pos(i) / i  /  (number of positives + 1e-8)
 * and mAP = 100 · mean_k AP_k over ALL classes (a class without positives scores 0 and counts).
 * Sums and the mean round like numpy (pairwise summation), so the results are bit-exact with the
 * reference whenever the ranking is the same.
 *
 * Ties. The reference ranks with `scores.argsort()[::-1]` (numpy's default, unstable sort), so
 * the order of equal scores is whatever numpy's sort leaves: it differs between numpy versions,
 * CPUs (the AVX-512 sort reorders ties even in 6-element float32 arrays) and array sizes, and
 * cannot be reproduced in general. Here equal scores are ranked with the LATER sample first,
 * which is `argsort()[::-1]` whenever the ascending sort keeps ties in index order (numpy's
 * scalar insertion sort does for up to 16 samples). AP with ties therefore matches the
 * reference only where numpy happens to keep that order; without ties it always matches.
 */
import { numpyMean, numpySum } from './numpy-sum';
import { assertBinary, assertFinite, assertSameShape, MatrixInput, toFlatMatrix } from './score-matrix';

export interface MultilabelMAP {
  /** 100 × mean of perClassAP, in [0, 100]. */
  mAP: number;
  /** [C] average precision of each class in [0, 1] (0 for a class without positives). */
  perClassAP: number[];
}

/** The reference's epsilon added to the positive count. */
const AP_EPSILON = 1e-8;

/**
 * Average precision of one class.
 * @param scores [N] scores of the class (any real values; only their order matters)
 * @param positive [N] 1 for a positive sample, 0 otherwise
 * @param order [N] scratch index buffer, overwritten
 * @param precisionAtHit [N] scratch buffer, overwritten
 */
function classAveragePrecision(
  scores: Float64Array,
  positive: Uint8Array,
  order: Uint32Array,
  precisionAtHit: Float64Array,
): number {
  const n = scores.length;
  for (let i = 0; i < n; i++) order[i] = i;
  // Highest score first; equal scores: later sample first (see the file comment).
  order.sort((a, b) => scores[b] - scores[a] || b - a);
  let positivesSoFar = 0;
  for (let rank = 0; rank < n; rank++) {
    if (positive[order[rank]] === 1) {
      positivesSoFar += 1;
      precisionAtHit[rank] = positivesSoFar / (rank + 1);
    } else {
      precisionAtHit[rank] = 0;
    }
  }
  return numpySum(precisionAtHit) / (positivesSoFar + AP_EPSILON);
}

/**
 * ASL-reference mAP.
 * @param scores [N, C] scores (logits or probabilities; finite)
 * @param targets [N, C] multi-hot 0/1 targets
 * Both take rows (number[][], Float32Array[]) or a flat row-major { data, rows, cols }.
 * With N = 0 or C = 0 the reference returns 0: mAP 0 and perClassAP all zeros.
 */
export function multilabelMAP(scores: MatrixInput, targets: MatrixInput): MultilabelMAP {
  const s = toFlatMatrix(scores, 'multilabelMAP: scores');
  const t = toFlatMatrix(targets, 'multilabelMAP: targets');
  assertSameShape(s, t, 'multilabelMAP: scores and targets');
  assertFinite(s, 'multilabelMAP: scores');
  assertBinary(t, 'multilabelMAP: targets');
  const { rows: n, cols: c } = s;
  const perClassAP = new Array<number>(c).fill(0);
  if (n === 0 || c === 0) return { mAP: 0, perClassAP };

  const column = new Float64Array(n);
  const positive = new Uint8Array(n);
  const order = new Uint32Array(n);
  const precisionAtHit = new Float64Array(n);
  for (let k = 0; k < c; k++) {
    for (let i = 0; i < n; i++) {
      column[i] = s.data[i * c + k];
      positive[i] = t.data[i * c + k];
    }
    perClassAP[k] = classAveragePrecision(column, positive, order, precisionAtHit);
  }
  return { mAP: 100 * numpyMean(perClassAP), perClassAP };
}
