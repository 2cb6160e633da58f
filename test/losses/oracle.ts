/**
 * Test oracles in plain float64 JavaScript, written from the formulas of the torch docs and the
 * ASL reference (not from src/losses), for what the fixtures of test/fixtures do not cover; plus
 * comparison and finite-difference helpers.
 */
export type Matrix = number[][];

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

export function logSoftmax(row: number[]): number[] {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
  return row.map((v) => v - lse);
}

/**
 * Asserts |a - e| <= abs + rel·|e| elementwise (NaN never passes).
 * @param label names the case in the failure message.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, abs: number, rel: number, label: string): void {
  if (actual.length !== expected.length) throw new Error(`${label}: length ${actual.length} != ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const [a, e] = [actual[i], expected[i]];
    if (!(Math.abs(a - e) <= abs + rel * Math.abs(e))) {
      throw new Error(`${label}: element ${i}: got ${a}, expected ${e} (abs ${abs}, rel ${rel})`);
    }
  }
}

/** Central finite differences of a scalar function of a matrix, in float64. */
export function finiteDifferenceGrad(f: (x: Matrix) => number, x: Matrix, h = 1e-6): Matrix {
  return x.map((row, i) =>
    row.map((_, j) => {
      const shifted = (d: number) => f(x.map((r, k) => (k === i ? r.map((v, l) => (l === j ? v + d : v)) : r)));
      return (shifted(h) - shifted(-h)) / (2 * h);
    }),
  );
}

export const flat = (m: Matrix): number[] => m.flat();

export interface AslOracleParams {
  gammaNeg: number;
  gammaPos: number;
  clip: number;
  eps: number;
}

/**
 * The ASL reference per element (test/fixtures/README.md): returns -B·w, with the weight w computed
 * from `weightLogit` (the same logit unless a detached weight is being differentiated).
 */
export function aslElement(x: number, y: number, o: AslOracleParams, weightLogit = x): number {
  const q = (p: number) => (o.clip > 0 ? Math.min(1 - p + o.clip, 1) : 1 - p);
  const p = sigmoid(x);
  const base = y * Math.log(Math.max(p, o.eps)) + (1 - y) * Math.log(Math.max(q(p), o.eps));
  if (!(o.gammaNeg > 0 || o.gammaPos > 0)) return -base;
  const pw = sigmoid(weightLogit);
  const pt = y * pw + (1 - y) * q(pw);
  return -base * Math.pow(1 - pt, o.gammaPos * y + o.gammaNeg * (1 - y));
}

/** Sum of ASL over all elements; `frozen` holds the logits the detached weight is taken at. */
export function aslSum(x: Matrix, y: Matrix, o: AslOracleParams, frozen?: Matrix): number {
  let total = 0;
  x.forEach((row, i) => row.forEach((v, j) => (total += aslElement(v, y[i][j], o, frozen ? frozen[i][j] : v))));
  return total;
}

/** Central finite difference of a scalar function of one variable, in float64. */
export function derivative(f: (x: number) => number, x: number, h = 1e-6): number {
  return (f(x + h) - f(x - h)) / (2 * h);
}

/**
 * ASLSingleLabel per sample (test/fixtures/README.md): -Σ_c s_c·w_c·log p_c with s the smoothed one-hot
 * and w = (1 - p)^γ+ at the target, p^γ- elsewhere. Gammas 0 and smoothing s give torch's
 * CrossEntropyLoss(label_smoothing = s).
 */
export function softmaxAslPerSample(x: Matrix, ids: number[], gammaPos: number, gammaNeg: number, smoothing: number): number[] {
  return x.map((row, i) => {
    const logP = logSoftmax(row);
    const c = row.length;
    return -logP.reduce((sum, l, k) => {
      const t = k === ids[i] ? 1 : 0;
      const p = Math.exp(l);
      const w = t ? Math.pow(1 - p, gammaPos) : Math.pow(p, gammaNeg);
      return sum + (t * (1 - smoothing) + smoothing / c) * w * l;
    }, 0);
  });
}

/** torch's CrossEntropyLoss(reduction='none', label_smoothing=s), written from its docs. */
export function crossEntropyPerSample(x: Matrix, ids: number[], smoothing: number): number[] {
  return x.map((row, i) => {
    const logP = logSoftmax(row);
    const nll = -logP[ids[i]];
    const uniform = -logP.reduce((a, b) => a + b, 0) / row.length;
    return (1 - smoothing) * nll + smoothing * uniform;
  });
}

export const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
