/**
 * Per task and loss: the primary metric and every other metric over seeds, and the paired
 * difference of the primary metric to the task's baseline (the first loss in --losses that
 * applies to the task). Shared by results.md and report.html.
 */
import type { CellResult } from './cell-result';
import { scalarMetrics } from './cell-result';
import { BOOTSTRAP_DEFAULTS, PairedDifference, pairedDifference, SeedSummary, summarize } from './statistics';
import type { SweepPlan } from './plan';

export interface LossSummary {
  loss: string;
  /** The registered loss trained, or null when n/a on this task. */
  lossUsed: string | null;
  cells: CellResult[];
  ok: CellResult[];
  failed: CellResult[];
  /** Why the loss is n/a on this task. */
  notApplicable?: string;
  primary?: SeedSummary;
  /** Every numeric metric over the finished seeds, by name. */
  metrics: Record<string, SeedSummary>;
  /** Versus the baseline, over the seeds both finished; absent for the baseline itself. */
  difference?: PairedDifference;
}

export interface TaskSummary {
  task: string;
  primaryMetric: string;
  baseline?: string;
  losses: LossSummary[];
  /** Metric names in the order first seen. */
  metricNames: string[];
}

/** Seed of the bootstrap resampling: fixed, so a report is reproducible and shards merge to the same numbers. */
export const BOOTSTRAP_SEED = BOOTSTRAP_DEFAULTS.seed;

function primaryValue(cell: CellResult): number {
  return scalarMetrics(cell)[cell.primaryMetric];
}

function summarizeLoss(loss: string, cells: CellResult[]): LossSummary {
  const ok = cells.filter((c) => c.status === 'ok');
  const names = [...new Set(ok.flatMap((c) => Object.keys(scalarMetrics(c))))];
  const metrics = Object.fromEntries(
    names
      .map((name) => [name, ok.map((c) => scalarMetrics(c)[name]).filter((v) => Number.isFinite(v))] as const)
      // COCO reports −1 for an area range without ground truth (APl on small scenes): not a value.
      .filter(([, values]) => values.length > 0 && !values.every((v) => v === -1))
      .map(([name, values]) => [name, summarize(values)]),
  );
  const na = cells.find((c) => c.status === 'n-a');
  return {
    loss,
    lossUsed: cells.find((c) => c.lossUsed !== null)?.lossUsed ?? null,
    cells,
    ok,
    failed: cells.filter((c) => c.status === 'failed'),
    notApplicable: na?.reason,
    primary: ok.length > 0 ? summarize(ok.map(primaryValue)) : undefined,
    metrics,
  };
}

/** The paired difference over seeds where both this loss and the baseline finished. */
function differenceTo(baseline: LossSummary, other: LossSummary): PairedDifference | undefined {
  const base = new Map(baseline.ok.map((c) => [c.seed, primaryValue(c)]));
  const pairs = other.ok.filter((c) => base.has(c.seed));
  if (pairs.length === 0) return undefined;
  return pairedDifference(pairs.map(primaryValue), pairs.map((c) => base.get(c.seed)!), BOOTSTRAP_SEED);
}

export function summarizeResults(plan: SweepPlan, cells: readonly CellResult[]): TaskSummary[] {
  return plan.tasks.map((task) => {
    const taskCells = cells.filter((c) => c.task === task);
    const losses = plan.losses.map((loss) => summarizeLoss(loss, taskCells.filter((c) => c.loss === loss)));
    const baseline = losses.find((l) => l.notApplicable === undefined);
    for (const l of losses) if (baseline && l !== baseline && l.notApplicable === undefined) l.difference = differenceTo(baseline, l);
    return {
      task,
      primaryMetric: taskCells[0]?.primaryMetric ?? '',
      baseline: baseline?.loss,
      losses,
      metricNames: [...new Set(losses.flatMap((l) => Object.keys(l.metrics)))],
    };
  });
}

/** Decimals for numbers on the scale of `reference`: 2 from 1.5 up (percentages), else 4. */
function decimalsFor(reference: number): number {
  return Math.abs(reference) >= 1.5 ? 2 : 4;
}

/** A number for a table, with the decimals of its own scale or of `reference` (e.g. the mean it is a spread of). */
export function formatNumber(value: number, signed = false, reference = value): string {
  if (!Number.isFinite(value)) return '—';
  const text = value.toFixed(decimalsFor(reference));
  return signed && value >= 0 ? `+${text}` : text;
}

export function formatMeanStd(s: SeedSummary | undefined): string {
  if (!s) return '—';
  const m = formatNumber(s.mean);
  return Number.isFinite(s.std) ? `${m} ± ${formatNumber(s.std, false, s.mean)}` : m;
}

export function formatInterval(i: { low: number; high: number } | undefined, reference: number): string {
  return i ? `[${formatNumber(i.low, true, reference)}, ${formatNumber(i.high, true, reference)}]` : '—';
}

/** Header of the primary-metric table (results.md and report.html). */
export function primaryTableHeader(task: TaskSummary): string[] {
  return ['loss', 'trained as', 'seeds ok', `${task.primaryMetric} (mean ± std)`, `Δ vs ${task.baseline ?? 'baseline'}`, 'Δ 95% t-interval', 'Δ 95% paired bootstrap'];
}

/** One loss's row of the primary-metric table. */
export function primaryTableRow(task: TaskSummary, l: LossSummary, seeds: number): string[] {
  if (l.notApplicable !== undefined) return [l.loss, `n/a: ${l.notApplicable}`, `0/${seeds}`, 'n/a', '', '', ''];
  if (l.loss === task.baseline) return [l.loss, l.lossUsed ?? '', `${l.ok.length}/${seeds}`, formatMeanStd(l.primary), '(baseline)', '', ''];
  const d = l.difference;
  const scale = l.primary?.mean ?? 0;
  return [
    l.loss,
    l.lossUsed ?? '',
    `${l.ok.length}/${seeds}`,
    formatMeanStd(l.primary),
    d ? `${formatNumber(d.mean, true, scale)} (n=${d.n})` : '—',
    formatInterval(d?.t, scale),
    formatInterval(d?.bootstrap, scale),
  ];
}

/** How the intervals are computed, for the reports. */
export const METHOD_NOTE =
  'Δ is paired by seed (seed s of every loss shares initialisation, data order and augmentation). ' +
  '95% t-interval: mean(Δ) ± t(0.975, n−1)·sd(Δ)/√n. ' +
  `95% paired bootstrap: ${BOOTSTRAP_DEFAULTS.resamples} resamples of the seeds with replacement, percentile interval, PRNG seed ${BOOTSTRAP_SEED} ` +
  '(with few seeds it is narrower than the t-interval; prefer the t-interval). std is the sample standard deviation (n−1).';
