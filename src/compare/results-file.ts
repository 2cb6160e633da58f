/**
 * The files of a sweep folder:
 *   results.json                   { version, plan, cells: [...] } — one entry per (task, loss, seed)
 *   results.md                     tables per task (see markdown.ts)
 *   report.html                    self-contained charts (see html-report.ts)
 *   results-shard-I-of-N.json      what `compare --shard I/N` writes instead; `compare merge` joins them
 *   runs/<task>/<loss>/seed-<s>/   the cells' ordinary run folders
 */
import * as fs from 'fs';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import type { CellResult } from './cell-result';
import { CellKey, cellLabel, planCells, Shard, SweepPlan } from './plan';
import { summarizeResults } from './summary';
import { renderMarkdown } from './markdown';
import { renderHtml } from './html-report';

export const RESULTS_VERSION = 1;

export interface CompareResults {
  version: number;
  plan: SweepPlan;
  /** Present in a shard's file. */
  shard?: Shard;
  cells: CellResult[];
}

export const REPORT_FILES = { results: 'results.json', markdown: 'results.md', html: 'report.html' } as const;

export function shardFileName(shard: Shard): string {
  return `results-shard-${shard.index}-of-${shard.count}.json`;
}

const SHARD_FILE = /^results-shard-(\d+)-of-(\d+)\.json$/;

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

function writeJson(file: string, value: unknown): void {
  writeAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Writes results.json, results.md and report.html into `outDir`; returns the markdown. */
export function writeReport(outDir: string, results: CompareResults): string {
  fs.mkdirSync(outDir, { recursive: true });
  const tasks = summarizeResults(results.plan, results.cells);
  const markdown = renderMarkdown(results.plan, tasks);
  writeJson(path.join(outDir, REPORT_FILES.results), results);
  writeAtomic(path.join(outDir, REPORT_FILES.markdown), markdown);
  writeAtomic(path.join(outDir, REPORT_FILES.html), renderHtml(results.plan, tasks));
  return markdown;
}

/** Writes one shard's results; returns the file written. */
export function writeShardResults(outDir: string, results: CompareResults & { shard: Shard }): string {
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, shardFileName(results.shard));
  writeJson(file, results);
  return file;
}

function readResults(file: string): CompareResults {
  let value: CompareResults;
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8')) as CompareResults;
  } catch (err) {
    throw new Error(`${file}: cannot read shard results (${(err as Error).message})`);
  }
  if (value?.version !== RESULTS_VERSION || !value.plan || !Array.isArray(value.cells)) {
    throw new Error(`${file}: not a compare results file of version ${RESULTS_VERSION}`);
  }
  return value;
}

/** The shard files named by `inputs`: files as given, folders by their results-shard-*.json. */
export function findShardFiles(inputs: readonly string[]): string[] {
  const files = inputs.flatMap((input) => {
    if (!fs.existsSync(input)) throw new Error(`${input}: no such file or folder`);
    if (!fs.statSync(input).isDirectory()) return [path.resolve(input)];
    const found = fs.readdirSync(input).filter((f) => SHARD_FILE.test(f)).sort();
    if (found.length === 0) throw new Error(`${input}: holds no results-shard-I-of-N.json (written by compare --shard I/N)`);
    return found.map((f) => path.resolve(input, f));
  });
  return [...new Set(files)];
}

function keyOf(c: CellKey): string {
  return `${c.task}\u0000${c.loss}\u0000${c.seed}`;
}

/**
 * Joins the shard files of one sweep into its complete results, in plan order, with each cell's
 * runDir made relative to `outDir`.
 * @throws Error when the shards disagree on the plan, repeat a shard, or miss one.
 */
export function mergeShardFiles(files: readonly string[], outDir: string): CompareResults {
  if (files.length === 0) throw new Error('compare merge: no shard files given');
  const shards = files.map((file) => ({ file, results: readResults(file) }));
  const first = shards[0];
  const seen = new Map<number, string>();
  for (const { file, results } of shards) {
    if (!results.shard) throw new Error(`${file}: not a shard's results (no "shard" entry)`);
    if (!isDeepStrictEqual(results.plan, first.results.plan)) throw new Error(`${file}: its sweep plan differs from ${first.file}'s (different tasks, losses, seeds, flags or data)`);
    if (results.shard.count !== first.results.shard!.count) throw new Error(`${file}: shard of ${results.shard.count}, but ${first.file} is a shard of ${first.results.shard!.count}`);
    const other = seen.get(results.shard.index);
    if (other) throw new Error(`${file}: shard ${results.shard.index} is also in ${other}`);
    seen.set(results.shard.index, file);
  }
  const count = first.results.shard!.count;
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length > 0) throw new Error(`compare merge: missing shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')}`);
  const byKey = new Map<string, CellResult>();
  for (const { file, results } of shards) {
    for (const c of results.cells) {
      const runDir = c.runDir === undefined ? undefined : path.relative(outDir, path.resolve(path.dirname(file), c.runDir));
      byKey.set(keyOf(c), { ...c, ...(runDir === undefined ? {} : { runDir }) });
    }
  }
  const plan = first.results.plan;
  const cells = planCells(plan).map((key) => {
    const found = byKey.get(keyOf(key));
    if (!found) throw new Error(`compare merge: no shard holds cell ${cellLabel(key)}`);
    return found;
  });
  return { version: RESULTS_VERSION, plan, cells };
}
