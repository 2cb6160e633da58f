/**
 * One cell's entry in results.json, read back from its run folder (metrics.json and log.jsonl),
 * so a fresh, a resumed and a skipped cell are reported by the same code. The entry carries the
 * curves the report draws, so shards can be merged without their run folders.
 */
import * as fs from 'fs';
import * as path from 'path';
import { RUN_FILES, RunSummary } from '../core/engine/run';
import type { CellKey } from './plan';

export type CellStatus = 'ok' | 'n-a' | 'failed';

/** Per-epoch training curve: train loss and the primary metric of the live weights (null when not evaluated). */
export interface EpochPoint {
  epoch: number;
  trainLoss: number;
  primary: number | null;
}

/**
 * The paper's probability analysis over training: mean predicted probability of the positive
 * and of the negative labels. `x` counts training steps (source `step`: log.jsonl step records)
 * or epochs (source `epoch`: the per-epoch evaluations), whichever the run logged.
 */
export interface ProbabilitySeries {
  source: 'step' | 'epoch';
  x: number[];
  meanProbPositives: number[];
  meanProbNegatives: number[];
  probabilityGap: number[];
  /** gammaNeg per point when the loss adapted it (asl with `adaptive`). */
  gammaNeg?: number[];
}

export interface CellResult extends CellKey {
  status: CellStatus;
  /** The registered loss trained (the pair of `loss` on this task), or null when n/a. */
  lossUsed: string | null;
  primaryMetric: string;
  /** Why the cell is n/a or failed. */
  reason?: string;
  /** Run folder, relative to the folder holding results.json. */
  runDir?: string;
  /** Every metric of the final weights, as in metrics.json. */
  metrics?: Record<string, unknown>;
  usedEma?: boolean;
  epochs?: number;
  /** Wall time of the run's last invocation (a resumed run counts from its resume). */
  wallSeconds?: number;
  trainImagesPerSecond?: number;
  curve?: EpochPoint[];
  probability?: ProbabilitySeries;
}

const PROBABILITY_KEYS = ['meanProbPositives', 'meanProbNegatives', 'probabilityGap'] as const;

function hasProbabilities(record: Record<string, unknown> | undefined): boolean {
  return record !== undefined && PROBABILITY_KEYS.every((k) => typeof record[k] === 'number');
}

/** log.jsonl records; a torn last line (a killed process) is ignored. */
function readLogRecords(file: string): Record<string, unknown>[] {
  if (!fs.existsSync(file)) return [];
  const records: Record<string, unknown>[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      records.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // Only a half-written line can fail to parse; the checkpointed records are whole.
    }
  }
  return records;
}

/** Step records win (finer); a resumed run logs some steps twice, so the last record per step counts. */
function probabilitySeries(summary: RunSummary, logRecords: Record<string, unknown>[]): ProbabilitySeries | undefined {
  const bySteps = new Map<number, Record<string, unknown>>();
  for (const r of logRecords) if (r.type === 'step' && typeof r.step === 'number' && hasProbabilities(r)) bySteps.set(r.step, r);
  const series = (source: ProbabilitySeries['source'], points: [number, Record<string, unknown>][]): ProbabilitySeries => ({
    source,
    x: points.map(([x]) => x),
    meanProbPositives: points.map(([, r]) => r.meanProbPositives as number),
    meanProbNegatives: points.map(([, r]) => r.meanProbNegatives as number),
    probabilityGap: points.map(([, r]) => r.probabilityGap as number),
    ...(points.length > 0 && points.every(([, r]) => typeof r.gammaNeg === 'number') ? { gammaNeg: points.map(([, r]) => r.gammaNeg as number) } : {}),
  });
  if (bySteps.size > 0) return series('step', [...bySteps.entries()].sort((a, b) => a[0] - b[0]));
  const epochs = summary.history.filter((h) => hasProbabilities(h.metrics)).map((h): [number, Record<string, unknown>] => [h.epoch + 1, h.metrics!]);
  return epochs.length > 0 ? series('epoch', epochs) : undefined;
}

/** The entry of a finished cell from its run folder (`runDir` absolute, `relativeRunDir` as stored). */
export function finishedCellResult(key: CellKey, lossUsed: string, primaryMetric: string, runDir: string, relativeRunDir: string): CellResult {
  const file = path.join(runDir, RUN_FILES.metrics);
  let summary: RunSummary;
  try {
    summary = JSON.parse(fs.readFileSync(file, 'utf8')) as RunSummary;
  } catch (err) {
    throw new Error(`${file}: cannot read the finished run's metrics (${(err as Error).message})`);
  }
  if (typeof summary.metrics?.[primaryMetric] !== 'number') throw new Error(`${file}: has no numeric '${primaryMetric}' metric`);
  const curve = summary.history.map((h) => {
    const value = h.metrics?.[primaryMetric];
    return { epoch: h.epoch + 1, trainLoss: h.trainLoss, primary: typeof value === 'number' ? value : null };
  });
  return {
    ...key,
    status: 'ok',
    lossUsed,
    primaryMetric,
    runDir: relativeRunDir,
    metrics: summary.metrics,
    usedEma: summary.usedEma,
    epochs: summary.epochs,
    wallSeconds: summary.wallSeconds,
    trainImagesPerSecond: summary.trainImagesPerSecond,
    curve,
    probability: probabilitySeries(summary, readLogRecords(path.join(runDir, RUN_FILES.log))),
  };
}

/** The numeric metrics of a cell, by name. */
export function scalarMetrics(cell: CellResult): Record<string, number> {
  return Object.fromEntries(Object.entries(cell.metrics ?? {}).filter((e): e is [string, number] => typeof e[1] === 'number'));
}
