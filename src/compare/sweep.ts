/**
 * Runs the cells of a sweep (or of one shard) on the engine, each in its own run folder:
 * a cell with metrics.json is finished and only read back, a cell with a checkpoint is resumed,
 * any other starts afresh. So a killed sweep rerun with the same command loses at most the
 * unfinished epoch of the cell that was running. Every config is resolved and checked against
 * the run folders before anything trains.
 */
import * as fs from 'fs';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import { readRunConfig, RUN_FILES, type TrainingEngine } from '../core/engine/run';
import { TrainingInterrupted } from '../core/engine/trainer';
import { RunFolderBusyError } from '../core/engine/run-lock';
import type { LossRegistry } from '../core/registry/loss-registry';
import type { TaskRegistry } from '../core/registry/task-registry';
import type { DatasetRegistry } from '../core/data/builtin';
import type { RunConfig } from '../core/run-config';
import type { BackendName } from '../core/backend/init';
import { resolveRunConfig } from '../cli/train-options';
import { ConfigError } from '../core/config';
import { CellResult, finishedCellResult } from './cell-result';
import { chooseLoss, LossChoice } from './loss-forms';
import { CellKey, cellLabel, cellRunDir, planCells, Shard, shardCells, SweepPlan } from './plan';

export interface SweepEnvironment {
  tasks: TaskRegistry;
  losses: LossRegistry;
  engine: TrainingEngine;
  datasets: DatasetRegistry;
  backend: BackendName;
  log: (line: string) => void;
  /** --profile: each cell's metrics.json gets where its time went. */
  profile?: boolean;
  /** --quiet: no progress lines. */
  quiet?: boolean;
}

interface PreparedCell {
  key: CellKey;
  choice: LossChoice;
  primaryMetric: string;
  /** Resolved config (absent when n/a). */
  config?: RunConfig;
  /** Absolute run folder, and as stored in results (relative to the sweep folder). */
  runDir: string;
  relativeRunDir: string;
}

/** The first path where two JSON values differ, e.g. `train.epochs: 2 ≠ 1`. */
function firstDifference(a: unknown, b: unknown, prefix = ''): string | undefined {
  if (isDeepStrictEqual(a, b)) return undefined;
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) {
      const found = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], prefix ? `${prefix}.${k}` : k);
      if (found) return found;
    }
  }
  return `${prefix || 'config'}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`;
}

/** The config of one cell: task defaults ← <configDir>/<task>.json ← the sweep's flags ← loss (and its grid's parameters), seed, data. */
function cellConfig(plan: SweepPlan, key: CellKey, loss: string, params: Record<string, unknown>, env: SweepEnvironment): RunConfig {
  const file = plan.configDir ? path.join(plan.configDir, `${key.task}.json`) : undefined;
  const args: Record<string, unknown> = { ...plan.flags, loss, seed: key.seed };
  if (plan.data[key.task] !== undefined) args.data = plan.data[key.task];
  const resolve = (): RunConfig => {
    const config = resolveRunConfig(env.tasks, key.task, file && fs.existsSync(file) ? file : undefined, args, env.datasets);
    // Loss parameters are checked here too, so that a bad one stops the sweep before anything trains.
    env.losses.get(config.loss).validate(config.lossParams);
    return { ...config, backend: env.backend };
  };
  if (Object.keys(params).length === 0) return resolve();
  args['loss-params'] = JSON.stringify(params);
  try {
    return resolve();
  } catch (err) {
    throw new ConfigError(`--loss-grid ${key.loss} on ${key.task}: ${(err as Error).message}`);
  }
}

/** Refuses a run folder made with another config (a different sweep in the same --out). */
function checkExistingRun(runDir: string, config: RunConfig, label: string): void {
  if (!fs.existsSync(path.join(runDir, RUN_FILES.config))) return;
  const { classes: _classes, backend: _savedBackend, ...saved } = readRunConfig(runDir);
  const { backend: _backend, ...planned } = config;
  const difference = firstDifference(saved, planned);
  if (difference) {
    throw new Error(`${path.join(runDir, RUN_FILES.config)}: cell ${label} was run with another config (${difference}); use another --out or remove that folder`);
  }
}

/** Resolves and checks every cell of `shard` (all cells without one) before anything trains. */
export function prepareCells(plan: SweepPlan, shard: Shard | undefined, outDir: string, env: SweepEnvironment): PreparedCell[] {
  for (const task of plan.tasks) env.tasks.get(task);
  const all = planCells(plan);
  return (shard ? shardCells(all, shard) : all).map((key) => {
    const task = env.tasks.get(key.task);
    const { primaryMetric } = task.traits;
    const variant = plan.variants?.[key.loss] ?? { loss: key.loss, params: {} };
    const choice = chooseLoss(variant.loss, task, env.losses);
    const relativeRunDir = cellRunDir(key);
    const runDir = path.resolve(outDir, relativeRunDir);
    const config = choice.applicable ? cellConfig(plan, key, choice.loss, variant.params, env) : undefined;
    if (config) checkExistingRun(runDir, config, cellLabel(key));
    return { key, choice, primaryMetric, config, runDir, relativeRunDir };
  });
}

async function runCell(cell: PreparedCell, env: SweepEnvironment, position: string): Promise<CellResult> {
  const { key, choice, primaryMetric } = cell;
  const label = cellLabel(key);
  if (!choice.applicable) {
    env.log(`compare ${position}: ${label}: n/a (${choice.reason})`);
    return { ...key, status: 'n-a', lossUsed: null, primaryMetric, reason: choice.reason };
  }
  const finished = () => finishedCellResult(key, choice.loss, primaryMetric, cell.runDir, cell.relativeRunDir);
  if (fs.existsSync(path.join(cell.runDir, RUN_FILES.metrics))) {
    env.log(`compare ${position}: ${label}: finished earlier, read from ${cell.relativeRunDir}`);
    return finished();
  }
  const resume = fs.existsSync(path.join(cell.runDir, RUN_FILES.checkpoint));
  env.log(`compare ${position}: ${label}: ${resume ? 'resuming' : 'training'} ${choice.loss} → ${cell.relativeRunDir}`);
  try {
    // Without a checkpoint nothing of an earlier attempt (same config, checked above) is kept, so neither are its log records.
    await env.engine.train(env.tasks.get(key.task), cell.config!, cell.runDir, { log: env.log }, resume, {
      profile: env.profile, quiet: env.quiet, overwrite: !resume,
    });
  } catch (err) {
    // Another process on the same sweep folder: stop rather than record its cells as failed.
    if (err instanceof TrainingInterrupted || err instanceof RunFolderBusyError) throw err;
    const reason = (err as Error).message.split('\n')[0];
    env.log(`compare ${position}: ${label}: failed: ${reason}`);
    return { ...key, status: 'failed', lossUsed: choice.loss, primaryMetric, reason, runDir: cell.relativeRunDir };
  }
  return finished();
}

/** Runs the prepared cells one after the other; Ctrl-C stops the sweep (the cell's checkpoint is saved). */
export async function runCells(cells: PreparedCell[], env: SweepEnvironment): Promise<CellResult[]> {
  const results: CellResult[] = [];
  for (const [i, cell] of cells.entries()) results.push(await runCell(cell, env, `[${i + 1}/${cells.length}]`));
  return results;
}
