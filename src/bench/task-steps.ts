/**
 * Figure 6: each task's training step as the Trainer runs it (its own loader, loss, diagnostics,
 * gradient norm, non-finite checks, optimiser, EMA and logging), on the active backend: images/s
 * and host reads per step, with the call site of every read. A GPU waits for its queue and copies
 * back at each read, so the count is what a step costs there beyond its kernels.
 *
 * One epoch of exactly warmup + counted + timed batches runs; the reads of the counted steps are
 * tallied between their progress callbacks, then the timed steps run with the counter off (a
 * stack trace per read would slow them), and the run stops at the last step boundary (before the
 * epoch's evaluation).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createContainer, TOKENS } from '../core/container';
import type { TaskRegistry } from '../core/registry/task-registry';
import type { DatasetRegistry } from '../core/data/builtin/catalog';
import type { TrainerComponents } from '../core/engine/trainer';
import type { RunConfig } from '../core/run-config';
import type { JsonObject } from '../core/config';
import { Trainer, TrainingInterrupted } from '../core/engine/trainer';
import { Progress } from '../core/engine/progress';
import { disposeModel } from '../core/engine/model-io';
import { HostReadCounter, type HostReadTally } from '../core/engine/host-reads';
import { median, nowMs } from './timing';
import { runEachWorkload, type WorkloadFailure } from './workloads';

export interface TaskStepWorkload {
  /** Name in the report. */
  name: string;
  /** Task registry name. */
  task: string;
  /** Task options the defaults depend on (`{ head: 'yolox' }`). */
  taskOptions?: JsonObject;
}

export const TASK_STEP_WORKLOADS: readonly TaskStepWorkload[] = [
  { name: 'multilabel', task: 'multilabel' },
  { name: 'singlelabel', task: 'singlelabel' },
  { name: 'fcos', task: 'detection', taskOptions: { head: 'fcos' } },
  { name: 'yolox', task: 'detection', taskOptions: { head: 'yolox' } },
];

export interface TaskStepOptions {
  /** Images per batch; 0 keeps each task's default. */
  batchSize: number;
  /** Steps before counting (kernel caches, shader compilation, JIT). */
  warmupSteps: number;
  /** Steps whose host reads are counted. */
  countedSteps: number;
  /** Steps timed after them; 0 measures no images/s. */
  timedSteps: number;
  /** Only these workloads (by name); default all. */
  workloads?: readonly string[];
  /** Built-in dataset cache; default the package's. */
  cacheDir?: string;
}

export interface TaskStepResult {
  workload: string;
  task: string;
  batchSize: number;
  imageSize: number;
  /** Wall milliseconds between consecutive step ends (loader wait included), per timed step. */
  stepMs: number[];
  /** batchSize / median step time; null without timed steps. */
  imagesPerSecond: number | null;
  /** Tensor host reads per step (dataSync, data and what builds on them). */
  hostReadsPerStep: number;
  /** Reads kernels made of the backend themselves, per step (on a GPU backend these are round-trips too). */
  kernelReadsPerStep: number;
  /** Reads per step by call site (file:line; kernel reads as `kernel <kernel file> ← file:line`). */
  hostReadSites: Record<string, number>;
}

export interface TaskStepsResult {
  workloads: TaskStepResult[];
  /** Workloads that failed on this backend, with the first line of the error (webgpu: a synchronous read). */
  failed: WorkloadFailure[];
}

/** Calls `onStep` with the number of steps done after each one, as the Trainer reports it. */
class StepProbe extends Progress {
  private done = 0;

  constructor(private readonly onStep: (done: number) => void) {
    super(undefined, 1);
  }

  override step(): void {
    this.onStep(++this.done);
  }
}

/** The task's defaults with just enough built-in images for `steps` batches (and the fewest validation images). */
function workloadConfig(w: TaskStepWorkload, tasks: TaskRegistry, datasets: DatasetRegistry, o: TaskStepOptions, steps: number): RunConfig {
  const defaults = tasks.get(w.task).defaults(w.taskOptions);
  const config: RunConfig = { ...defaults, taskOptions: { ...defaults.taskOptions, ...w.taskOptions } };
  const batchSize = o.batchSize > 0 ? o.batchSize : config.train.batchSize;
  const needed = batchSize * steps;
  const { builtin } = config.data;
  if (!builtin) throw new Error(`bench tasks: task ${w.task} has no built-in dataset by default`);
  const specs = datasets.get(builtin).options;
  const builtinOptions = {
    ...config.data.builtinOptions,
    trainCount: Math.max(needed, specs.trainCount.min),
    valCount: specs.valCount.min,
    ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}),
  };
  return {
    ...config,
    data: { ...config.data, builtinOptions, maxTrainImages: needed, maxValImages: specs.valCount.min },
    // At the peak lr: a schedule changes no cost, and onecycle needs more steps than a bench runs.
    train: { ...config.train, batchSize, epochs: 1, schedule: { ...config.train.schedule, name: 'constant' } },
  };
}

async function runWorkload(w: TaskStepWorkload, o: TaskStepOptions, log: (line: string) => void): Promise<TaskStepResult> {
  const total = o.warmupSteps + o.countedSteps + o.timedSteps;
  const container = createContainer();
  const tasks = container.get<TaskRegistry>(TOKENS.TaskRegistry);
  const config = workloadConfig(w, tasks, container.get<DatasetRegistry>(TOKENS.DatasetRegistry), o, total);
  const task = tasks.get(w.task);
  const prepared = await task.prepare(config, { log });
  const components: TrainerComponents = { optimizers: container.get(TOKENS.OptimizerRegistry), schedules: container.get(TOKENS.ScheduleRegistry) };
  if (!prepared.train) throw new Error(`bench tasks: task ${w.task} prepared no training data`);
  if (prepared.train.batchesPerEpoch < total) throw new Error(`bench tasks: ${w.name} yields ${prepared.train.batchesPerEpoch} batches, ${total} needed`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asl-run-bench-'));
  let counter: HostReadCounter | undefined;
  let counted: HostReadTally | undefined;
  const stepEnds: number[] = [];
  let trainer: Trainer<unknown> | undefined;
  const probe = new StepProbe((done) => {
    if (done === o.warmupSteps) counter = HostReadCounter.start({ sites: true });
    if (done === o.warmupSteps + o.countedSteps) counted = counter?.stop();
    if (done >= o.warmupSteps + o.countedSteps) stepEnds.push(nowMs());
    if (done === total) trainer!.requestStop('SIGINT');
  });
  try {
    const hooks = { record: () => undefined, progress: probe };
    trainer = new Trainer(prepared.adapter, task.traits, prepared.train, config.train, path.join(dir, 'last.ckpt'), hooks, components);
    await trainer.run(false).catch((err: unknown) => {
      // The stop requested at the last step boundary; anything else is a real failure.
      if (!(err instanceof TrainingInterrupted)) throw err;
    });
  } finally {
    counter?.stop();
    trainer?.dispose();
    disposeModel(prepared.adapter.model);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (!counted) throw new Error(`bench tasks: ${w.name} stopped before its counted steps ended`);
  const perStep = (n: number) => n / o.countedSteps;
  const stepMs = stepEnds.slice(1).map((t, i) => t - stepEnds[i]);
  return {
    workload: w.name, task: w.task, batchSize: config.train.batchSize, imageSize: config.model.imageSize, stepMs,
    imagesPerSecond: stepMs.length > 0 ? (config.train.batchSize * 1000) / median(stepMs) : null,
    hostReadsPerStep: perStep(counted.reads),
    kernelReadsPerStep: perStep(counted.kernelReads),
    hostReadSites: Object.fromEntries(Object.entries(counted.sites).sort(([a], [b]) => a.localeCompare(b)).map(([site, n]) => [site, perStep(n)])),
  };
}

/** Runs the workloads on the active backend, one after another; one that fails is reported, not fatal, so the others still run. */
export async function runTaskSteps(o: TaskStepOptions, log: (line: string) => void = () => undefined): Promise<TaskStepsResult> {
  for (const [name, value, min] of [['warmupSteps', o.warmupSteps, 1], ['countedSteps', o.countedSteps, 1], ['timedSteps', o.timedSteps, 0]] as const) {
    if (!Number.isInteger(value) || value < min) throw new Error(`bench tasks: ${name} must be an integer >= ${min}, got ${value}`);
  }
  const unknown = o.workloads?.filter((n) => !TASK_STEP_WORKLOADS.some((w) => w.name === n)) ?? [];
  if (unknown.length > 0) throw new Error(`bench tasks: unknown workload '${unknown[0]}' (known: ${TASK_STEP_WORKLOADS.map((w) => w.name).join(', ')})`);
  const chosen = TASK_STEP_WORKLOADS.filter((x) => !o.workloads || o.workloads.includes(x.name));
  return runEachWorkload('tasks', chosen, (w) => {
    log(`tasks: ${w.name} (task ${w.task}): ${o.warmupSteps} warm-up, ${o.countedSteps} counted and ${o.timedSteps} timed Trainer steps`);
    return runWorkload(w, o, log);
  }, log);
}
