/**
 * Summaries of a metric over seeds and of the paired difference between two losses.
 *
 * A difference is paired by seed: seed s of every loss shares the initialisation seed, data order
 * and augmentation stream, so d_s = x_s(loss) - x_s(baseline) removes that shared noise.
 * Two intervals are offered for the mean of d:
 *   - t-interval: mean ± t_{1-α/2, n-1} · sd / √n (assumes roughly normal d; honest for small n);
 *   - paired bootstrap: resample the n seeds with replacement B times, take the percentile
 *     interval of the resampled means (seeded, so deterministic). With 3–5 seeds it is too
 *     narrow (it cannot see beyond the observed values), which is why the report shows both.
 */
import { Rng } from '../core/random';
import { studentTQuantile } from './student-t';

export interface Interval {
  low: number;
  high: number;
}

function assertFinite(values: readonly number[], what: string): void {
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new Error(`${what}: value ${bad} is not a finite number (${values[bad]})`);
}

/** Arithmetic mean; NaN for no values. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/** Sample standard deviation (n - 1 in the denominator); NaN below two values. */
export function sampleStd(values: readonly number[]): number {
  if (values.length < 2) return NaN;
  const m = mean(values);
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
}

/** Linear-interpolation quantile of sorted values (Hyndman & Fan type 7, numpy's default). */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('quantileSorted: no values');
  if (!(q >= 0 && q <= 1)) throw new Error(`quantileSorted: q must be in [0, 1], got ${q}`);
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
}

/** Two-sided t confidence interval of the mean; undefined below two values. */
export function tInterval(values: readonly number[], confidence = 0.95): Interval | undefined {
  assertFinite(values, 'tInterval');
  if (values.length < 2) return undefined;
  const m = mean(values);
  const half = (studentTQuantile(1 - (1 - confidence) / 2, values.length - 1) * sampleStd(values)) / Math.sqrt(values.length);
  return { low: m - half, high: m + half };
}

export interface BootstrapOptions {
  confidence?: number;
  /** Number of resamples; default 10 000. */
  resamples?: number;
  /** Seed of the resampling stream; equal seeds give equal intervals. */
  seed?: number;
}

export const BOOTSTRAP_DEFAULTS = { confidence: 0.95, resamples: 10_000, seed: 0 } as const;

/**
 * Percentile bootstrap interval of the mean of paired differences `baseline[i]` → `other[i]`
 * (index i is one seed); undefined below two pairs.
 */
export function pairedBootstrapInterval(other: readonly number[], baseline: readonly number[], options: BootstrapOptions = {}): Interval | undefined {
  if (other.length !== baseline.length) throw new Error(`pairedBootstrapInterval: ${other.length} values paired with ${baseline.length} baseline values`);
  const differences = other.map((v, i) => v - baseline[i]);
  assertFinite(differences, 'pairedBootstrapInterval');
  const n = differences.length;
  if (n < 2) return undefined;
  const { confidence, resamples, seed } = { ...BOOTSTRAP_DEFAULTS, ...options };
  if (!(Number.isInteger(resamples) && resamples >= 1)) throw new Error(`pairedBootstrapInterval: resamples must be a positive integer, got ${resamples}`);
  const rng = new Rng(seed);
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += differences[rng.int(n)];
    means[b] = sum / n;
  }
  means.sort();
  const alpha = (1 - confidence) / 2;
  const sorted = Array.from(means);
  return { low: quantileSorted(sorted, alpha), high: quantileSorted(sorted, 1 - alpha) };
}

/** Mean, spread and count of one metric over seeds. */
export interface SeedSummary {
  n: number;
  mean: number;
  std: number;
}

export function summarize(values: readonly number[]): SeedSummary {
  assertFinite(values, 'summarize');
  return { n: values.length, mean: mean(values), std: sampleStd(values) };
}

/** The difference of one loss to the baseline over the seeds both finished. */
export interface PairedDifference {
  /** Number of paired seeds. */
  n: number;
  mean: number;
  t?: Interval;
  bootstrap?: Interval;
}

export function pairedDifference(other: readonly number[], baseline: readonly number[], bootstrapSeed: number): PairedDifference {
  const differences = other.map((v, i) => v - baseline[i]);
  return {
    n: differences.length,
    mean: mean(differences),
    t: tInterval(differences),
    bootstrap: pairedBootstrapInterval(other, baseline, { seed: bootstrapSeed }),
  };
}
