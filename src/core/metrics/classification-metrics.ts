/**
 * Single-label classification metrics from [N, C] scores (logits or probabilities; only their
 * order within a row matters) and integer targets.
 *
 * Ties: the predicted class is the FIRST index of the row maximum (numpy/torch argmax). Top-k
 * uses the same order: classes ranked by score, highest first, equal scores by lower index, and
 * a sample is top-k correct when its target's rank is < k, i.e.
 *   #{j : s_j > s_t} + #{j < t : s_j = s_t} < k.
 * top5 is reported only when C >= 5 (with fewer classes it would be trivially 100).
 * Accuracies are percentages; a class without samples has per-class accuracy NaN and is left out
 * of meanClassAccuracy (balanced accuracy over the classes present).
 */
import { assertFinite, FlatMatrix, MatrixInput, toFlatMatrix } from './score-matrix';

export interface ClassificationMetrics {
  /** Number of samples N. */
  count: number;
  /** Percent of samples whose argmax is the target. */
  top1: number;
  /** Percent of samples whose target is among the 5 highest scores; absent when C < 5. */
  top5?: number;
  /** [C] percent correct among the samples of each class; NaN for a class without samples. */
  perClassAccuracy: number[];
  /** Mean of perClassAccuracy over the classes that have samples. */
  meanClassAccuracy: number;
  /** [C][C] counts: confusion[true][predicted]. */
  confusion: number[][];
}

/** Rank of class `target` in row i (0 = highest; ties ordered by class index). */
function rankOfTarget(s: FlatMatrix, i: number, target: number): number {
  const row = i * s.cols;
  const targetScore = s.data[row + target];
  let rank = 0;
  for (let j = 0; j < s.cols; j++) {
    const v = s.data[row + j];
    if (v > targetScore || (v === targetScore && j < target)) rank += 1;
  }
  return rank;
}

/** First index of the row maximum. */
function argmaxFirst(s: FlatMatrix, i: number): number {
  const row = i * s.cols;
  let best = 0;
  for (let j = 1; j < s.cols; j++) if (s.data[row + j] > s.data[row + best]) best = j;
  return best;
}

/**
 * The scores as a flat matrix, after checking them and the targets.
 * @param who names the caller in errors, e.g. "classificationMetrics"
 */
function checkedScores(scores: MatrixInput, targets: ArrayLike<number>, who: string): FlatMatrix {
  const s = toFlatMatrix(scores, `${who}: scores`);
  const { rows: n, cols: c } = s;
  if (n === 0 || c === 0) throw new Error(`${who}: scores must be [N, C] with N, C >= 1, got [${n}, ${c}]`);
  if (targets.length !== n) {
    throw new Error(`${who}: targets has ${targets.length} entries, expected one per score row (${n})`);
  }
  assertFinite(s, `${who}: scores`);
  for (let i = 0; i < n; i++) {
    const target = targets[i];
    if (!Number.isInteger(target) || target < 0 || target >= c) {
      throw new Error(`${who}: targets[${i}] must be an integer class index in [0, ${c}), got ${target}`);
    }
  }
  return s;
}

/**
 * Percent of samples whose target is among the k highest scores (ties ordered by class index, as above).
 * @param scores [N, C] class scores (rows or a flat { data, rows, cols })
 * @param targets [N] integer class indices in [0, C)
 * @param k an integer >= 1 (k >= C gives 100)
 */
export function topKAccuracy(scores: MatrixInput, targets: ArrayLike<number>, k: number): number {
  if (!Number.isInteger(k) || k < 1) throw new Error(`topKAccuracy: k must be an integer >= 1, got ${k}`);
  const s = checkedScores(scores, targets, 'topKAccuracy');
  let hits = 0;
  for (let i = 0; i < s.rows; i++) if (rankOfTarget(s, i, targets[i]) < k) hits += 1;
  return (100 * hits) / s.rows;
}

/**
 * @param scores [N, C] class scores, N >= 1, C >= 1 (rows or a flat { data, rows, cols })
 * @param targets [N] integer class indices in [0, C)
 */
export function classificationMetrics(scores: MatrixInput, targets: ArrayLike<number>): ClassificationMetrics {
  const s = checkedScores(scores, targets, 'classificationMetrics');
  const { rows: n, cols: c } = s;

  const confusion = Array.from({ length: c }, () => new Array<number>(c).fill(0));
  const classCount = new Array<number>(c).fill(0);
  let top1Hits = 0;
  let top5Hits = 0;
  for (let i = 0; i < n; i++) {
    const target = targets[i];
    const predicted = argmaxFirst(s, i);
    confusion[target][predicted] += 1;
    classCount[target] += 1;
    if (predicted === target) top1Hits += 1;
    if (c >= 5 && rankOfTarget(s, i, target) < 5) top5Hits += 1;
  }

  const perClassAccuracy = classCount.map((count, k) => (count === 0 ? NaN : (100 * confusion[k][k]) / count));
  const present = perClassAccuracy.filter((a) => !Number.isNaN(a));
  const result: ClassificationMetrics = {
    count: n,
    top1: (100 * top1Hits) / n,
    perClassAccuracy,
    meanClassAccuracy: present.reduce((sum, a) => sum + a, 0) / present.length,
    confusion,
  };
  if (c >= 5) result.top5 = (100 * top5Hits) / n;
  return result;
}
