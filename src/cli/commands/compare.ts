/**
 * `asl-run compare --tasks … --losses … --seeds N --out DIR`: every (task, loss, seed) cell as an
 * ordinary run folder, then results.json, results.md and report.html. `--shard I/N` runs one
 * deterministic slice (for job arrays) and `compare merge DIR… --out DIR` joins the slices.
 */
import * as path from 'path';
import type { Argv, CommandModule, Options } from 'yargs';
import { createContext, GlobalOptions } from '../context';
import { PROFILE_OPTION, trainFlagOptions } from '../train-options';
import { parseDataFlags, parseNameList, parseShard, seedList, SweepPlan } from '../../compare/plan';
import { prepareCells, runCells } from '../../compare/sweep';
import { expandLosses, parseLossGrids } from '../../compare/loss-grid';
import { findShardFiles, mergeShardFiles, REPORT_FILES, RESULTS_VERSION, shardFileName, writeReport, writeShardResults } from '../../compare/results-file';

/** Train flags that compare sets per cell itself (or that make no sense across tasks). */
const PER_CELL_FLAGS = ['loss', 'loss-params', 'seed', 'data', 'dataset', 'train', 'val'];

function passThroughFlags(): Record<string, Options> {
  return Object.fromEntries(Object.entries(trainFlagOptions()).filter(([flag]) => !PER_CELL_FLAGS.includes(flag)));
}

interface CompareArgs extends GlobalOptions {
  tasks?: string;
  losses?: string;
  seeds: number;
  'seed-base': number;
  out?: string;
  shard?: string;
  data: string[];
  'loss-grid': string[];
  'config-dir'?: string;
  [flag: string]: unknown;
}

interface MergeArgs extends GlobalOptions {
  dirs: string[];
  out?: string;
}

function requireOut(out: string | undefined, command: string): string {
  if (!out) throw new Error(`${command}: --out DIR is required (the folder for the results)`);
  return path.resolve(out);
}

/** The sweep as given on the command line; every shard of one sweep must build the same plan. */
function planFromArgs(args: CompareArgs): SweepPlan {
  const tasks = parseNameList('--tasks', args.tasks);
  const given = parseNameList('--losses', args.losses);
  const { losses, variants } = expandLosses(given, parseLossGrids(args['loss-grid'], given));
  const flags = Object.fromEntries(Object.keys(passThroughFlags()).filter((f) => args[f] !== undefined).map((f) => [f, args[f]]));
  return {
    tasks,
    losses,
    ...(args['loss-grid'].length > 0 ? { variants } : {}),
    seeds: seedList(args.seeds, args['seed-base']),
    flags,
    data: parseDataFlags(args.data, tasks),
    configDir: args['config-dir'] ? path.resolve(args['config-dir']) : '',
  };
}

const mergeCommand: CommandModule<GlobalOptions, MergeArgs> = {
  command: 'merge <dirs..>',
  describe: 'Merge the results-shard-I-of-N.json of a sharded sweep (folders or files) into one report in --out',
  builder: (y) =>
    y.positional('dirs', { type: 'string', array: true, describe: 'Shard output folders or results-shard-*.json files' }) as unknown as Argv<MergeArgs>,
  handler: (args) => {
    const out = requireOut(args.out, 'compare merge');
    const files = findShardFiles(args.dirs);
    const markdown = writeReport(out, mergeShardFiles(files, out));
    process.stdout.write(markdown);
    if (!args.quiet) process.stderr.write(`asl-run: merged ${files.length} shard files into ${path.join(out, REPORT_FILES.html)}\n`);
  },
};

export const compareCommand: CommandModule<GlobalOptions, CompareArgs> = {
  command: 'compare',
  describe: 'Train every (task, loss, seed) cell and compare the losses: results.json, results.md, report.html',
  builder: (y) =>
    y
      .command(mergeCommand)
      .option('tasks', { type: 'string', describe: 'Comma-separated tasks, e.g. multilabel,singlelabel,detection' })
      .option('losses', { type: 'string', describe: 'Comma-separated losses; the first is the baseline. A loss with no form for a task is reported n/a' })
      .option('loss-grid', {
        type: 'string',
        array: true,
        default: [] as string[],
        describe: 'LOSS=JSON (repeatable): train LOSS once per combination of parameter values, e.g. asl=\'{"gammaNeg":[1,2,4],"clip":[0,0.05]}\' (variants named asl@gammaNeg=1,clip=0)',
      })
      .option('seeds', { type: 'number', default: 3, describe: 'Seeds per (task, loss): seed-base … seed-base + seeds - 1' })
      .option('seed-base', { type: 'number', default: 0, describe: 'First seed' })
      .option('out', { type: 'string', describe: 'Sweep folder: runs/<task>/<loss>/seed-<s>/ and the reports (rerun to resume)' })
      .option('shard', { type: 'string', describe: 'Run only slice I of N (0-based, I/N), e.g. $SLURM_ARRAY_TASK_ID/8; then `compare merge`' })
      .option('data', { type: 'string', array: true, default: [] as string[], describe: 'Dataset folder per task as TASK=DIR (repeatable), or DIR with one task; default: the task\'s built-in dataset' })
      .option('profile', PROFILE_OPTION)
      .option('config-dir', { type: 'string', describe: 'Folder of per-task config files <task>.json (as for --config)' })
      .options(passThroughFlags()) as unknown as Argv<CompareArgs>,
  handler: async (args) => {
    const out = requireOut(args.out, 'compare');
    const plan = planFromArgs(args);
    const shard = args.shard !== undefined ? parseShard(args.shard) : undefined;
    const ctx = await createContext(args);
    const env = { tasks: ctx.tasks, losses: ctx.losses, engine: ctx.engine, datasets: ctx.datasets, backend: args.backend, log: ctx.log, profile: Boolean(args.profile), quiet: args.quiet };
    const prepared = prepareCells(plan, shard, out, env);
    ctx.log(`asl-run compare: ${prepared.length} cells${shard ? ` (shard ${shard.index}/${shard.count})` : ''} → ${out}`);
    const cells = await runCells(prepared, env);
    if (shard) {
      const file = writeShardResults(out, { version: RESULTS_VERSION, plan, shard, cells });
      ctx.log(`asl-run compare: shard results in ${file}; when every shard is done: asl-run compare merge <shard folders> --out DIR`);
    } else {
      process.stdout.write(writeReport(out, { version: RESULTS_VERSION, plan, cells }));
      ctx.log(`asl-run compare: report in ${path.join(out, REPORT_FILES.html)}`);
    }
    const failed = cells.filter((c) => c.status === 'failed').length;
    if (failed > 0) throw new Error(`compare: ${failed} cell${failed > 1 ? 's' : ''} failed (see ${shard ? shardFileName(shard) : REPORT_FILES.markdown}); rerun the same command to retry`);
  },
};
