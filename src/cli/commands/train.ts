/**
 * `asl-run [train]`: resolve the config, train, evaluate, and print the metrics. The default
 * command, so `asl-run --task multilabel` trains.
 */
import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { createContext, GlobalOptions } from '../context';
import { flagOverrides, OVERWRITE_OPTION, PROFILE_OPTION, resolveRunConfig, trainFlagOptions } from '../train-options';
import { readRunConfig, RunSummary } from '../../core/engine/run';
import { ConfigError } from '../../core/config';
import { describeSkips } from '../../core/data/skips';

interface TrainArgs extends GlobalOptions {
  task?: string;
  config?: string;
  out?: string;
  resume?: string;
  profile?: boolean;
  overwrite?: boolean;
  [flag: string]: unknown;
}

function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
}

/** The headline numbers of a finished run, one line. */
export function formatSummary(summary: RunSummary): string {
  const scalars = Object.entries(summary.metrics)
    .filter(([, v]) => typeof v === 'number')
    .map(([k, v]) => `${k} ${(v as number).toFixed(Math.abs(v as number) > 1.5 ? 2 : 4)}`);
  const skipped = describeSkips(summary.skipped);
  return (
    `${summary.task}/${summary.loss}: ${scalars.join('  ')}  ` +
    `(${summary.usedEma ? 'EMA' : 'live'} weights, ${summary.wallSeconds.toFixed(0)} s, peak RSS ${summary.peakRssMiB.toFixed(0)} MiB${skipped ? `, ${skipped}` : ''})`
  );
}

export const trainCommand: CommandModule<GlobalOptions, TrainArgs> = {
  command: ['train', '$0'],
  describe: 'Train a model and evaluate it (the default command)',
  builder: (y) =>
    y
      .option('task', { type: 'string', describe: 'multilabel | singlelabel | detection (default: from --config, else multilabel)' })
      .option('config', { type: 'string', describe: 'JSON config file (see configs/); flags override it' })
      .option('out', { type: 'string', describe: 'Run folder (default runs/<task>-<loss>-<time>)' })
      .option('resume', { type: 'string', describe: 'Continue the run in this folder from its last checkpoint, with its saved config' })
      .option('profile', PROFILE_OPTION)
      .option('overwrite', OVERWRITE_OPTION)
      .options(trainFlagOptions()) as unknown as Argv<TrainArgs>,
  handler: async (args) => {
    const ctx = await createContext(args);
    const { tasks } = ctx;
    let runDir: string;
    let config;
    if (args.resume) {
      const { given } = flagOverrides(args);
      const extra = [...given, ...(['task', 'config', 'out', 'overwrite'] as const).filter((k) => args[k] !== undefined).map((k) => `--${k}`)];
      if (extra.length > 0) throw new ConfigError(`--resume continues with the run's saved config; drop ${extra.join(', ')}`);
      runDir = args.resume;
      const { classes: _classes, ...saved } = readRunConfig(runDir);
      config = saved;
    } else {
      config = resolveRunConfig(tasks, args.task, args.config, args, ctx.datasets);
      runDir = args.out ?? path.join('runs', `${config.task}-${config.loss}-${timestamp()}`);
    }
    config = { ...config, backend: args.backend };
    ctx.log(`asl-run: ${args.resume ? 'resuming' : 'training'} ${config.task} with loss ${config.loss} → ${runDir}`);
    const summary = await ctx.engine.train(tasks.get(config.task), config, runDir, { log: ctx.log }, Boolean(args.resume), {
      profile: Boolean(args.profile),
      quiet: args.quiet,
      overwrite: Boolean(args.overwrite),
    });
    process.stdout.write(`${formatSummary(summary)}\n`);
    ctx.log(`asl-run: run saved in ${runDir} (metrics.json, model/, log.jsonl)`);
  },
};
