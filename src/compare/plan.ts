/**
 * The cells of a sweep — every (task, loss, seed) in the order given — and their deterministic
 * split into shards for job arrays: shard i of N takes cells i, i + N, i + 2N, … (round robin,
 * so each shard gets a mix of tasks and losses and the shards finish at similar times).
 */
import * as path from 'path';
import type { LossVariant } from './loss-grid';

export interface CellKey {
  task: string;
  /** The name given in --losses, or a variant of its --loss-grid (the loss actually trained may be its pair; see loss-forms.ts). */
  loss: string;
  seed: number;
}

/** What every shard of one sweep must agree on. */
export interface SweepPlan {
  tasks: string[];
  /** --losses with each gridded loss replaced by its variants (loss-grid.ts). */
  losses: string[];
  /** What each of `losses` trains; absent in sweeps without grids, where each name trains as itself. */
  variants?: Record<string, LossVariant>;
  seeds: number[];
  /** The training flags passed to every cell, by flag name (e.g. { epochs: 1 }). */
  flags: Record<string, unknown>;
  /** Dataset folder per task; a task absent here uses its default built-in dataset. */
  data: Record<string, string>;
  /** Folder of per-task config files `<task>.json`, or '' for none. */
  configDir: string;
}

export interface Shard {
  /** 0-based, as Slurm's SLURM_ARRAY_TASK_ID (with --array=0-…) and Kubernetes' JOB_COMPLETION_INDEX. */
  index: number;
  count: number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Splits a comma list, trimming blanks; every entry must be a plain name (it becomes a folder). */
export function parseNameList(flag: string, text: string | undefined): string[] {
  const names = (text ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length === 0) throw new Error(`${flag}: give at least one name, comma-separated`);
  const bad = names.find((n) => !NAME.test(n));
  if (bad !== undefined) throw new Error(`${flag}: '${bad}' is not a plain name (letters, digits, '.', '_', '-')`);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) throw new Error(`${flag}: '${duplicate}' is listed twice`);
  return names;
}

/** Seeds base, base + 1, …, base + count - 1. */
export function seedList(count: number, base: number): number[] {
  if (!Number.isInteger(count) || count < 1) throw new Error(`--seeds: expected a positive integer, got ${count}`);
  if (!Number.isSafeInteger(base) || base < 0) throw new Error(`--seed-base: expected a non-negative integer, got ${base}`);
  return Array.from({ length: count }, (_, i) => base + i);
}

/** Every cell: tasks outermost, then losses, then seeds. */
export function planCells(plan: Pick<SweepPlan, 'tasks' | 'losses' | 'seeds'>): CellKey[] {
  return plan.tasks.flatMap((task) => plan.losses.flatMap((loss) => plan.seeds.map((seed) => ({ task, loss, seed }))));
}

/** Parses `--shard I/N` (0 ≤ I < N). */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) throw new Error(`--shard: expected I/N with 0 <= I < N (e.g. 0/4), got '${text}'`);
  const [index, count] = [Number(match[1]), Number(match[2])];
  if (count < 1 || index >= count) throw new Error(`--shard: expected I/N with 0 <= I < N (e.g. 0/4), got '${text}'`);
  return { index, count };
}

/** The cells shard `shard` runs; the shards of one count partition the cells. */
export function shardCells<T>(cells: readonly T[], shard: Shard): T[] {
  return cells.filter((_, i) => i % shard.count === shard.index);
}

/** A cell's run folder inside the sweep folder: runs/<task>/<loss>/seed-<seed>. */
export function cellRunDir(cell: CellKey): string {
  return path.join('runs', cell.task, cell.loss, `seed-${cell.seed}`);
}

export function cellLabel(cell: CellKey): string {
  return `${cell.task}/${cell.loss}/seed ${cell.seed}`;
}

/**
 * Per-task dataset folders from `--data` values: `TASK=DIR`, or a bare `DIR` when the sweep has
 * a single task.
 */
export function parseDataFlags(values: readonly string[], tasks: readonly string[]): Record<string, string> {
  const data: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    const named = eq > 0 && tasks.includes(value.slice(0, eq));
    if (!named && tasks.length > 1) throw new Error(`--data ${value}: with several tasks give TASK=DIR (tasks: ${tasks.join(', ')})`);
    const task = named ? value.slice(0, eq) : tasks[0];
    if (data[task] !== undefined) throw new Error(`--data: two folders for task ${task}`);
    data[task] = path.resolve(named ? value.slice(eq + 1) : value);
  }
  return data;
}
