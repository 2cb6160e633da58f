/**
 * Figure 3: the share of a detection training step spent in target assignment and the loss.
 * A workload is a task of the registry with its default config (fewer generated images), so a
 * new detection head is one more entry in DETECTION_WORKLOADS. On one real training batch of
 * the task's own loader, three things are timed side by side, round by round:
 *   (a) target assignment in the loader: the task's per-image target function over the batch's
 *       images (FCOS); absent when the head assigns inside its loss (e.g. SimOTA), where (b − c)
 *       measures it;
 *   (b) the full training step as the Trainer does it (forward, task loss, backward, gradient
 *       norm and clipping, optimiser update, EMA);
 *   (c) the same step with the task loss replaced by the mean of the outputs.
 * Per round, share = (a + (b − c)) / (a + b); the figure is the median over rounds.
 */
import { tf } from '../core/tf';
import { createContainer, TOKENS } from '../core/container';
import { readsSynchronously } from '../core/backend/init';
import { forwardWithoutUpdates } from '../core/engine/forward-without-updates';
import type { TaskRegistry } from '../core/registry/task-registry';
import type { RunConfig } from '../core/run-config';
import type { JsonObject } from '../core/config';
import type { Batch, BatchSource } from '../core/engine/task';
import type { DetectionRecord } from '../core/data/records';
import type { TargetFn } from '../core/data/pipeline/loader';
import type { TransformInfo } from '../core/data/pipeline/transform';
import { trainLoader } from '../tasks/common/loaders';
import { headTargetFn } from '../tasks/detection';
import { fcosHead } from '../tasks/detection/heads/fcos';
import { headOptions } from '../tasks/detection/options';
import { locationGrid } from '../tasks/detection/locations';
import { interleaveSides, median } from './timing';
import { recipeOf, runEachWorkload, TrainStep, type WorkloadFailure } from './workloads';

export interface DetectionWorkload {
  /** Name in the report. */
  name: string;
  /** Task registry name. */
  task: string;
  /** Task options the defaults depend on (the head: `{ head: 'yolox' }` gets YOLOX's defaults). */
  taskOptions?: JsonObject;
  /** The run config, from the task's defaults. */
  configure(defaults: RunConfig): RunConfig;
  /** The per-image target function the task's training loader runs, where the head assigns targets there: its time is (a). */
  loaderTargets?(config: RunConfig): TargetFn<DetectionRecord, unknown>;
}

/** FCOS, whose assignment runs in the loader (src/tasks/detection/heads/fcos/). */
export const FCOS_WORKLOAD: DetectionWorkload = {
  name: 'fcos',
  task: 'detection',
  taskOptions: { head: 'fcos' },
  configure: (defaults) => defaults,
  loaderTargets: (config) => {
    const options = headOptions(fcosHead, config.taskOptions);
    const size = config.model.imageSize;
    return headTargetFn(fcosHead, locationGrid(size, size, options.strides, options.levelBounds), options);
  },
};

/** YOLOX assigns inside its loss, from the predictions: (a) is absent and the assignment is part of (b − c). */
const yoloxWorkload = (name: string, assigner: 'center-prior' | 'simota'): DetectionWorkload => ({
  name,
  task: 'detection',
  taskOptions: { head: 'yolox', assigner },
  configure: (defaults) => ({ ...defaults, taskOptions: { ...defaults.taskOptions, assigner } }),
});

export const DETECTION_WORKLOADS: readonly DetectionWorkload[] = [FCOS_WORKLOAD, yoloxWorkload('yolox', 'center-prior'), yoloxWorkload('yolox-simota', 'simota')];

export interface DetectionShareOptions {
  /** Images per batch; 0 keeps the config's (detection default: 32). */
  batchSize: number;
  rounds: number;
  stepsPerRound: number;
  /** Built-in dataset cache; default the package's (ASL_RUN_CACHE or ~/.cache/asl-run). */
  cacheDir?: string;
}

export interface DetectionWorkloadResult {
  workload: string;
  task: string;
  batchSize: number;
  imageSize: number;
  rounds: number;
  stepsPerRound: number;
  /** Milliseconds per batch in each round: (a), or null where the head assigns inside its loss. */
  targetMs: number[] | null;
  /** (b) and (c), milliseconds per step in each round. */
  stepMs: number[];
  trivialLossStepMs: number[];
  /** Median over rounds of (b − c): the task loss's forward and backward. */
  lossMs: number;
  /** Median over rounds of (a + b − c) / (a + b). */
  shareOfStep: number;
}

export interface DetectionResult {
  workloads: DetectionWorkloadResult[];
  /** Workloads that failed on this backend, with the first line of the error (webgpu: a synchronous read in the loss). */
  failed: WorkloadFailure[];
}

/** The run config of a workload: its task's defaults with only as many generated images as one batch needs. */
function workloadConfig(w: DetectionWorkload, tasks: TaskRegistry, o: DetectionShareOptions): RunConfig {
  const config = w.configure(tasks.get(w.task).defaults(w.taskOptions));
  const batchSize = o.batchSize > 0 ? o.batchSize : config.train.batchSize;
  const builtinOptions = config.data.builtin ? { ...config.data.builtinOptions, trainCount: batchSize, valCount: 8, ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}) } : config.data.builtinOptions;
  return { ...config, data: { ...config.data, builtinOptions }, train: { ...config.train, batchSize } };
}

/** The first training batch of the task's own loader, as the Trainer receives it. */
async function firstBatch<T>(source: BatchSource<T>): Promise<Batch<T>> {
  for await (const batch of source.batches(0)) return batch;
  throw new Error('bench detection: the training loader yielded no batch');
}

/**
 * What the training loader hands its target function for each image of `batch`: the record and
 * its boxes in network pixels, through the config's fit without augmentation (the default
 * detection config augments nothing: hflip 0, scaleJitter [1, 1]).
 */
async function targetInputs(batch: Batch<unknown>, config: RunConfig): Promise<{ record: DetectionRecord; info: TransformInfo }[]> {
  const records = batch.records as DetectionRecord[];
  const loader = trainLoader({ ...config, train: { ...config.train, batchSize: records.length } }, records, (record, info) => ({ record, info }), {});
  return (await firstBatch(loader)).items;
}

/** The mean of every output: the network's forward and backward without the task loss. outputs → scalar. */
function trivialLoss(outputs: tf.Tensor | tf.Tensor[]): tf.Scalar {
  const list = Array.isArray(outputs) ? outputs : [outputs];
  return list.map((o) => tf.mean(o)).reduce((sum, m) => tf.add(sum, m)) as tf.Scalar;
}

async function runWorkload(w: DetectionWorkload, o: DetectionShareOptions, log: (line: string) => void): Promise<DetectionWorkloadResult> {
  const container = createContainer();
  const tasks = container.get<TaskRegistry>(TOKENS.TaskRegistry);
  const config = workloadConfig(w, tasks, o);
  const prepared = await tasks.get(w.task).prepare(config, { log });
  if (!prepared.train) throw new Error(`bench detection: task ${w.task} prepared no training data`);
  const { adapter } = prepared;
  const batch = await firstBatch(prepared.train);
  const targetFn = w.loaderTargets?.(config);
  const inputs = targetFn ? await targetInputs(batch, config) : [];
  const step = new TrainStep<tf.Tensor | tf.Tensor[]>(adapter.model, batch, recipeOf(config.train));
  // As the Trainer: every part of the task loss is read back and the diagnostics computed, with
  // either loss; the parts after the step, with await data() (WebGPU in Node reads only so).
  let parts: tf.Tensor[] = [];
  const taskLoss = (outputs: tf.Tensor | tf.Tensor[]) => {
    const terms = adapter.loss(outputs, batch);
    parts = Object.values(terms.parts).map((p) => tf.keep(p));
    adapter.diagnostics?.(outputs, batch);
    return terms.total;
  };
  const taskStep = async () => {
    try {
      // As the Trainer on a backend without synchronous reads: YOLOX assigns from a forward pass before the tape.
      if (adapter.prepareStep && !readsSynchronously()) await adapter.prepareStep(batch, () => forwardWithoutUpdates(adapter.model, batch, 0));
      await step.run(taskLoss);
      await Promise.all(parts.map((p) => p.data()));
    } finally {
      tf.dispose(parts);
      parts = [];
    }
  };
  const meanLoss = (outputs: tf.Tensor | tf.Tensor[]) => {
    adapter.diagnostics?.(outputs, batch);
    return trivialLoss(outputs);
  };
  const repeat = (fn: () => unknown) => async () => {
    for (let i = 0; i < o.stepsPerRound; i++) await fn();
  };
  const assign = repeat(() => inputs.forEach(({ record, info }) => targetFn!(record, info)));
  try {
    // Warm-up: kernel caches, JIT.
    await assign();
    await taskStep();
    await step.run(meanLoss);
    const sides = [repeat(taskStep), repeat(() => step.run(meanLoss)), ...(targetFn ? [assign] : [])];
    const [b, c, a] = (await interleaveSides(o.rounds, sides)).map((seconds) => seconds.map((s) => (1000 * s) / o.stepsPerRound));
    const targetMs = a ?? b.map(() => 0);
    return {
      workload: w.name, task: w.task, batchSize: batch.shape[0], imageSize: config.model.imageSize, rounds: o.rounds, stepsPerRound: o.stepsPerRound,
      targetMs: a ?? null, stepMs: b, trivialLossStepMs: c,
      lossMs: median(b.map((t, i) => t - c[i])),
      shareOfStep: median(b.map((t, i) => (targetMs[i] + t - c[i]) / (targetMs[i] + t))),
    };
  } finally {
    step.dispose();
  }
}

/** Runs every workload on the active backend; one that fails is reported, not fatal, so the others still run. */
export async function runDetectionShare(
  o: DetectionShareOptions, log: (line: string) => void = () => undefined, workloads: readonly DetectionWorkload[] = DETECTION_WORKLOADS,
): Promise<DetectionResult> {
  if (!Number.isInteger(o.stepsPerRound) || o.stepsPerRound < 1) throw new Error(`bench detection: stepsPerRound must be a positive integer, got ${o.stepsPerRound}`);
  if (!Number.isInteger(o.batchSize) || o.batchSize < 0) throw new Error(`bench detection: batchSize must be an integer >= 0 (0: the config's), got ${o.batchSize}`);
  return runEachWorkload('detection', workloads, (w) => {
    log(`detection: ${w.name} (task ${w.task}): target assignment, training step, and the step with a trivial loss, interleaved`);
    return runWorkload(w, o, log);
  }, log);
}
