/**
 * One training run on disk: the run folder (config.json, log.jsonl, checkpoint/, model/,
 * metrics.json), Ctrl-C handling, and the hand-over from the task to the engine.
 *
 *   <run>/config.json     fully resolved config (classes included)
 *   <run>/log.jsonl       one JSON object per logged step, evaluation and epoch
 *   <run>/checkpoint/last.ckpt   weights, optimiser state, EMA, position (atomic, every epoch)
 *   <run>/model/          final model in the TF.js layers format (tf.loadLayersModel), with SHA256SUMS
 *   <run>/run.lock        while a process writes the folder (see run-lock.ts)
 *   <run>/metrics.json    { task, loss, backend, metrics, peakRssMiB, profile (with --profile), ... }
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseSavedRunConfig, type RunConfig } from '../run-config';
import type { PreparedTask, TaskDefinition, TaskEnvironment, TaskRegistry } from '../registry/task-registry';
import { checkResumePlugins } from '../registry/run-plugins';
import { formatDuration, Progress } from './progress';
import { Trainer, TrainResult, type TrainerComponents } from './trainer';
import type { PluginFiles } from '../registry/plugin-files';
import { disposeModel, saveLayersModel } from './model-io';
import { claimRunFolder, checkRunFolder, RUN_FILES, withWhatWasKept } from './run-folder';
import { appendFileNamed, writeFileAtomic } from './safe-files';
import { activeBackend } from '../backend/init';
import { formatProfile, Profiler, type ProfileReport } from './profiler';
import { describeSkips, type SkipCounts } from '../data/skips';
import { initFrom, type InitFromConfig } from './init-from';
import { describeRequest, ensurePretrained, usesBuiltinPretraining } from './pretrained';
import type { BackboneRegistry } from '../../backbones/registry';

export { RUN_FILES };

export interface SavedRunConfig extends RunConfig {
  classes: string[];
}

export interface RunSummary {
  task: string;
  loss: string;
  backend: string;
  metrics: Record<string, unknown>;
  usedEma: boolean;
  epochs: number;
  wallSeconds: number;
  trainImagesPerSecond: number;
  /** Images left out under --skip-bad, by kind and split (a decode failure counts once, however many epochs). */
  skipped: SkipCounts;
  history: TrainResult['history'];
  /** The process's peak resident set size so far (process.resourceUsage().maxRSS); in-process sweeps include earlier runs. */
  peakRssMiB: number;
  /** With --profile: where the wall time went. */
  profile?: ProfileReport;
}

export interface TrainRunOptions {
  /** Time the run's sections, print the table to the log and save it in metrics.json. */
  profile?: boolean;
  /** No progress line on stderr (`--quiet`). */
  quiet?: boolean;
  /** Replace the run already in the folder (`--overwrite`); without it such a folder is refused. */
  overwrite?: boolean;
}

export function readRunConfig(runDir: string): SavedRunConfig {
  const file = path.join(runDir, RUN_FILES.config);
  let saved: SavedRunConfig;
  try {
    saved = JSON.parse(fs.readFileSync(file, 'utf8')) as SavedRunConfig;
  } catch (err) {
    throw new Error(`${file}: cannot read run config (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  // Options added after the run was written take their base default, the behaviour it was trained with.
  // The plugins it loaded are the business of the commands that reload them (registry/run-plugins.ts).
  const { classes, plugins: _plugins, ...config } = saved as SavedRunConfig & { plugins?: unknown };
  return { ...parseSavedRunConfig(config, file), classes };
}

/** The process's peak resident set size so far, in MiB (resourceUsage().maxRSS is in KiB). */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

function writeJson(file: string, value: unknown): void {
  writeFileAtomic(file, [`${JSON.stringify(value, null, 2)}\n`]);
}

/** What `--pretrained builtin` needs besides the engine: the recipe's task and the backbones (pretrained.ts). */
export interface PretrainingRegistries {
  tasks: TaskRegistry;
  backbones: BackboneRegistry;
}

/** Where a run's initial weights come from, with the words that name the source in its lines. */
interface InitialWeights {
  source: InitFromConfig;
  label?: string;
}

/**
 * Runs training: bound in the composition root with the optimiser and schedule registries, the
 * record of the plugin files loaded (a run writes them into its config.json), and what the
 * built-in pretraining needs.
 */
export class TrainingEngine {
  constructor(
    private readonly components: TrainerComponents,
    private readonly plugins: PluginFiles,
    private readonly pretraining: PretrainingRegistries,
  ) {}

  /**
   * `model.initFrom`, or the cached pretrained backbone where `model.pretrained` asks for it (pretrained
   * first when the cache lacks it, in the cache of the run's built-in data set); undefined for a fresh start.
   */
  private async initialWeights(config: RunConfig, env: TaskEnvironment, options: TrainRunOptions): Promise<InitialWeights | undefined> {
    const { model } = config;
    if (model.initFrom) return { source: model };
    if (!usesBuiltinPretraining(model, this.pretraining.backbones)) return undefined;
    const request = { backbone: model.backbone, widthMultiplier: model.widthMultiplier, stemStride: model.stemStride };
    const cacheDir = config.data.builtinOptions.cacheDir;
    const pretrained = await ensurePretrained({ engine: this, ...this.pretraining }, request, {
      cacheDir: typeof cacheDir === 'string' ? cacheDir : undefined,
      backend: config.backend,
      env,
      run: { quiet: options.quiet },
    });
    const how = pretrained.trained ? `pretrained now in ${formatDuration(pretrained.seconds)}` : 'found in the cache';
    env.log(`asl-run: --pretrained ${model.pretrained}: ${describeRequest(request)} ${how} (top-1 ${pretrained.top1.toFixed(2)} % on its validation digits)`);
    return { source: { initFrom: pretrained.dir, initFromPartial: false, backboneOnly: true }, label: `--pretrained ${model.pretrained} ${pretrained.dir}` };
  }

  /**
   * Trains `config` into `runDir` (resuming its checkpoint when `resume`), saves the final model and
   * metrics, and returns the summary. Throws TrainingInterrupted after Ctrl-C or SIGTERM (checkpoint saved).
   * The folder is locked for the whole run; a folder another process writes, or one holding a run
   * (unless `resume` or `options.overwrite`), is refused before anything is prepared.
   */
  async train(task: TaskDefinition, config: RunConfig, runDir: string, env: TaskEnvironment, resume: boolean, options: TrainRunOptions = {}): Promise<RunSummary> {
    const mode = { resume, overwrite: Boolean(options.overwrite) };
    checkRunFolder(runDir, mode);
    if (resume) checkResumePlugins(runDir, this.plugins.list());
    // Unknown optimiser or schedule names fail before any data is read.
    this.components.optimizers.get(config.train.optimizer.name);
    this.components.schedules.get(config.train.schedule.name);
    // A resumed run's weights come from its checkpoint. A pretraining is no part of the run's time.
    const initial = resume ? undefined : await this.initialWeights(config, env, options);
    const started = performance.now();
    const profiler = new Profiler(Boolean(options.profile));
    const prepared = await task.prepare(config, env);
    if (initial) {
      try {
        initFrom(prepared.adapter.model, initial.source, env.log, initial.label);
      } catch (err) {
        disposeModel(prepared.adapter.model);
        throw err;
      }
    }
    // Only now: bad options, data or --init-from sources leave no empty run folder behind.
    const lock = claimRunFolder(runDir, mode, env.log);
    try {
      const run: RunInFolder = { task, config, runDir, env, resume, prepared, profiler, started, options };
      return await trainInFolder(run, this.components, this.plugins);
    } catch (err) {
      throw withWhatWasKept(err, runDir);
    } finally {
      lock.release();
    }
  }
}

interface RunInFolder {
  task: TaskDefinition;
  config: RunConfig;
  runDir: string;
  env: TaskEnvironment;
  resume: boolean;
  prepared: PreparedTask;
  profiler: Profiler;
  started: number;
  options: TrainRunOptions;
}

/** Signals that stop a run at the next step boundary, after a checkpoint. */
const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

async function trainInFolder(run: RunInFolder, components: TrainerComponents, plugins: PluginFiles): Promise<RunSummary> {
  const { task, config, runDir, env, resume, prepared, profiler, started, options } = run;
  if (!prepared.train) throw new Error(`task ${task.name}: prepared without training data`);
  const readerSkips = prepared.skips.counts();
  if (readerSkips.total > 0) env.log(`${describeSkips(readerSkips)} while reading the data (--skip-bad); first: ${readerSkips.first}`);
  writeJson(path.join(runDir, RUN_FILES.config), { ...config, classes: prepared.classes, plugins: plugins.list() });
  const logFile = path.join(runDir, RUN_FILES.log);
  const trainer = new Trainer(prepared.adapter, task.traits, prepared.train, config.train, path.join(runDir, RUN_FILES.checkpoint), {
    record: (entry) => appendFileNamed(logFile, `${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`),
    progress: new Progress(options.quiet ? undefined : process.stderr, config.train.logEvery),
    profiler,
  }, components);
  profiler.lap('setup');
  // Ctrl-C, and the SIGTERM a scheduler (Slurm, Kubernetes) sends before it kills a job, save a checkpoint first.
  const onStopSignal = (signal: NodeJS.Signals) => {
    env.log(`\n${signal === 'SIGINT' ? 'Ctrl-C' : signal}: saving a checkpoint at the next step boundary (a second one aborts without saving)`);
    for (const s of STOP_SIGNALS) {
      process.removeListener(s, onStopSignal);
      process.once(s, () => process.exit(128 + os.constants.signals[s]));
    }
    trainer.requestStop(signal);
  };
  for (const s of STOP_SIGNALS) process.once(s, onStopSignal);
  let result: TrainResult;
  try {
    result = await trainer.run(resume);
  } finally {
    for (const s of STOP_SIGNALS) process.removeListener(s, onStopSignal);
    trainer.dispose();
  }
  await saveLayersModel(prepared.adapter.model, path.join(runDir, RUN_FILES.model), { task: task.name, classes: prepared.classes });
  const images = result.history.reduce((s, h) => s + h.imagesPerSecond * h.seconds, 0);
  const seconds = result.history.reduce((s, h) => s + h.seconds, 0);
  const summary: RunSummary = {
    task: task.name,
    loss: config.loss,
    backend: activeBackend()?.name ?? 'unknown',
    metrics: result.metrics,
    usedEma: result.usedEma,
    epochs: result.history.length,
    wallSeconds: (performance.now() - started) / 1000,
    trainImagesPerSecond: images / Math.max(seconds, 1e-9),
    skipped: prepared.skips.counts(),
    history: result.history,
    peakRssMiB: peakRssMiB(),
  };
  if (profiler.enabled) {
    profiler.lap('final save');
    summary.profile = profiler.report();
    env.log(formatProfile(summary.profile));
  }
  writeJson(path.join(runDir, RUN_FILES.metrics), summary);
  disposeModel(prepared.adapter.model);
  return summary;
}
