/**
 * Thresholded multi-label metrics in the ML-GCN / ASL protocol, the ASL paper's probability
 * analysis, and the reference mAP, from one pass over [N, C] probabilities and 0/1 targets.
 *
 * A label is predicted positive when its probability is >= threshold (default 0.5, i.e. logit
 * >= 0, as ML-GCN's `scores >= 0` on logits). With, per class c, Nc correct positive predictions,
 * Np positive predictions and Ng positive targets:
 *   CP = mean_c Nc/Np, CR = mean_c Nc/Ng, CF1 = 2·CP·CR/(CP+CR)         (per-class, macro)
 *   OP = ΣNc/ΣNp,      OR = ΣNc/ΣNg,      OF1 = 2·OP·OR/(OP+OR)         (overall, micro)
 * 0/0 conventions (scikit-learn's zero_division=0): a ratio with a zero denominator is 0 and
 * still counts in the class means (so Np = 0 gives precision 0 as ML-GCN's Np=1 trick does; a
 * class without positive targets gives recall 0, as it gives AP 0 in the reference mAP), and an
 * F1 with P + R = 0 is 0. All six are percentages, like mAP.
 *
 * Probability analysis (ASL paper): p_t is the probability given to the ground truth, p for a
 * positive label and 1 - p for a negative one; the probability gap is
 *   Δp = mean p_t over positive labels - mean p_t over negative labels
 *      = meanProbPositives - (1 - meanProbNegatives).
 * The raw means of p over positive and over negative labels are returned too. A mean over no
 * labels is NaN (undefined), and so is the gap then.
 */
import { MultilabelMAP, multilabelMAP } from './multilabel-map';
import { assertBinary, assertInRange, assertSameShape, FlatMatrix, MatrixInput, toFlatMatrix } from './score-matrix';

export interface MultilabelMetrics extends MultilabelMAP {
  /** Per-class (macro) precision, recall and F1, percent. */
  CP: number;
  CR: number;
  CF1: number;
  /** Overall (micro) precision, recall and F1, percent. */
  OP: number;
  OR: number;
  OF1: number;
  /** The threshold the six above used. */
  threshold: number;
  /** Mean predicted probability over positive labels, and over negative labels (0..1). */
  meanProbPositives: number;
  meanProbNegatives: number;
  /** The paper's Δp = mean p_t(positives) - mean p_t(negatives), in [-1, 1]. */
  probabilityGap: number;
}

export interface MultilabelMetricsOptions {
  /** Probability at or above which a label is predicted positive; default 0.5. */
  threshold?: number;
}

/** a / b, or 0 when b is 0 (scikit-learn's zero_division=0). */
function ratioOrZero(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

function f1(precision: number, recall: number): number {
  return ratioOrZero(2 * precision * recall, precision + recall);
}

/** Per-class counts [C] at the threshold, plus probability sums for the gap. */
function countPredictions(p: FlatMatrix, t: FlatMatrix, threshold: number) {
  const c = p.cols;
  const correct = new Float64Array(c);
  const predicted = new Float64Array(c);
  const actual = new Float64Array(c);
  let positiveProbSum = 0;
  let negativeProbSum = 0;
  for (let i = 0; i < p.rows; i++) {
    for (let k = 0; k < c; k++) {
      const prob = p.data[i * c + k];
      const isPositive = t.data[i * c + k] === 1;
      const predictedPositive = prob >= threshold;
      if (predictedPositive) predicted[k] += 1;
      if (isPositive) {
        actual[k] += 1;
        positiveProbSum += prob;
        if (predictedPositive) correct[k] += 1;
      } else {
        negativeProbSum += prob;
      }
    }
  }
  return { correct, predicted, actual, positiveProbSum, negativeProbSum };
}

/**
 * All multi-label metrics at once.
 * @param probs [N, C] predicted probabilities in [0, 1] (sigmoid outputs, not logits)
 * @param targets [N, C] multi-hot 0/1 targets
 */
export function multilabelMetrics(
  probs: MatrixInput,
  targets: MatrixInput,
  options: MultilabelMetricsOptions = {},
): MultilabelMetrics {
  const threshold = options.threshold ?? 0.5;
  if (!(threshold >= 0 && threshold <= 1)) {
    throw new Error(`multilabelMetrics: options.threshold must be in [0, 1], got ${threshold}`);
  }
  const p = toFlatMatrix(probs, 'multilabelMetrics: probs');
  const t = toFlatMatrix(targets, 'multilabelMetrics: targets');
  assertSameShape(p, t, 'multilabelMetrics: probs and targets');
  assertInRange(p, 0, 1, 'multilabelMetrics: probs', '(pass sigmoid outputs, not logits)');
  assertBinary(t, 'multilabelMetrics: targets');

  const counts = countPredictions(p, t, threshold);
  const c = p.cols;
  let precisionSum = 0;
  let recallSum = 0;
  let correctTotal = 0;
  let predictedTotal = 0;
  let actualTotal = 0;
  for (let k = 0; k < c; k++) {
    precisionSum += ratioOrZero(counts.correct[k], counts.predicted[k]);
    recallSum += ratioOrZero(counts.correct[k], counts.actual[k]);
    correctTotal += counts.correct[k];
    predictedTotal += counts.predicted[k];
    actualTotal += counts.actual[k];
  }
  const CP = 100 * ratioOrZero(precisionSum, c);
  const CR = 100 * ratioOrZero(recallSum, c);
  const OP = 100 * ratioOrZero(correctTotal, predictedTotal);
  const OR = 100 * ratioOrZero(correctTotal, actualTotal);
  const negativeTotal = p.rows * c - actualTotal;
  // NaN for an empty set: 0 / 0.
  const meanProbPositives = counts.positiveProbSum / actualTotal;
  const meanProbNegatives = counts.negativeProbSum / negativeTotal;
  return {
    ...multilabelMAP(p, t),
    CP,
    CR,
    CF1: f1(CP, CR),
    OP,
    OR,
    OF1: f1(OP, OR),
    threshold,
    meanProbPositives,
    meanProbNegatives,
    probabilityGap: meanProbPositives - (1 - meanProbNegatives),
  };
}
