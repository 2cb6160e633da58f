/**
 * The task-agnostic training loop: optimiser, per-step schedule, gradient clipping, EMA,
 * evaluation of live and averaged weights, atomic checkpoints every epoch, exact resume, Ctrl-C
 * and non-finite-loss handling. Tasks plug in through TaskAdapter and BatchSource.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf } from '../tf';
import { WeightEma } from './ema';
import { readsSynchronously } from '../backend/init';
import type { OptimizerConfig, OptimizerEntry, TrainingOptimizer } from './optimizers';
import { Progress } from './progress';
import type { ScheduleConfig, ScheduleEntry } from './schedules';
import type { Registry } from '../registry/registry';
import type { TaskTraits } from '../registry/task-registry';
import type { BatchSource, Metrics, TaskAdapter } from './task';
import { CheckpointError, describeKeptCheckpoint, readCheckpoint, SavedTensor, writeCheckpoint } from './checkpoint';
import { withSeededMathRandom } from './seeded-math-random';
import { Profiler } from './profiler';

export interface TrainConfig {
  epochs: number;
  seed: number;
  lr: number;
  optimizer: OptimizerConfig;
  schedule: ScheduleConfig;
  ema: { enabled: boolean; decay: number; warmup: boolean };
  /** Clip the global gradient norm to this; 0 disables. */
  gradClipNorm: number;
  /** Log a step line (and a log.jsonl record) every this many steps. */
  logEvery: number;
  /** Evaluate every this many epochs (the last epoch is always evaluated). */
  evalEvery: number;
}

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  seconds: number;
  imagesPerSecond: number;
  metrics?: Metrics;
  emaMetrics?: Metrics;
}

interface CheckpointMeta {
  /** Where to continue: this epoch, this batch within it. */
  epoch: number;
  batch: number;
  step: number;
  optimizerStep: number;
  emaUpdates: number;
  history: EpochRecord[];
  /** Running sums of the epoch in progress, so a mid-epoch resume reports the same epoch loss. */
  epochLossSum: number;
  epochImages: number;
  epochSeconds: number;
  /** TaskAdapter.state() at the time of the checkpoint. */
  taskState?: unknown;
}

export interface TrainResult {
  history: EpochRecord[];
  /** Metrics of the weights kept as final (live or EMA, whichever scored higher). */
  metrics: Metrics;
  usedEma: boolean;
}

/** Training stopped on a signal after saving a checkpoint; `exitCode` is the shell's 128 + signal number. */
export class TrainingInterrupted extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}
/** The loss, the gradient or the updated weights became non-finite; the last good checkpoint was left in place. */
export class NonFiniteLossError extends Error {}

/** The registries the trainer resolves `train.optimizer.name` and `train.schedule.name` in. */
export interface TrainerComponents {
  optimizers: Registry<OptimizerEntry>;
  schedules: Registry<ScheduleEntry>;
}

export interface TrainerHooks {
  /** JSON-lines sink for step and evaluation records. */
  record(entry: Record<string, unknown>): void;
  progress: Progress;
  /** --profile: where the time goes; absent, a disabled one (no clock reads, no syncs). */
  profiler?: Profiler;
  /** Whether the backend reads synchronously (default: the active backend's answer); tests force the asynchronous path. */
  readsSynchronously?: () => boolean;
}

/** Profiling only: reading the smallest of `variables` waits for the work queued on them (GPU backends). */
function settleOn(variables: readonly tf.Variable[]): () => Promise<unknown> {
  if (variables.length === 0) return async () => undefined;
  const smallest = variables.reduce((a, b) => (b.size < a.size ? b : a));
  return () => smallest.data();
}

export class Trainer<Item> {
  private readonly trainable: tf.Variable[];
  private readonly allWeights: tf.Variable[];
  private readonly optimizer: TrainingOptimizer;
  private readonly ema?: WeightEma;
  private readonly profiler: Profiler;
  /** Profiling only: wait for the update's and the EMA's device work. */
  private readonly settleUpdate: () => Promise<unknown>;
  private readonly settleEma: () => Promise<unknown>;
  /** The signal that asked for a stop at the next step boundary, if any. */
  private stopSignal: NodeJS.Signals | undefined;

  constructor(
    private readonly task: TaskAdapter<Item>,
    private readonly traits: Pick<TaskTraits, 'primaryMetric' | 'metricDirection'>,
    private readonly data: BatchSource<Item>,
    private readonly config: TrainConfig,
    private readonly checkpointFile: string,
    private readonly hooks: TrainerHooks,
    private readonly components: TrainerComponents,
  ) {
    this.trainable = task.model.trainableWeights.map((w) => w.read() as tf.Variable);
    this.allWeights = task.model.weights.map((w) => w.read() as tf.Variable);
    this.optimizer = components.optimizers.get(config.optimizer.name).create(this.trainable, config.optimizer);
    if (config.ema.enabled) this.ema = new WeightEma(this.allWeights, config.ema.decay, config.ema.warmup);
    this.profiler = hooks.profiler ?? new Profiler(false);
    this.settleUpdate = settleOn(this.trainable);
    this.settleEma = settleOn(this.ema?.shadows ?? []);
  }

  /** Asks the loop to checkpoint and stop at the next step boundary (Ctrl-C, SIGTERM). */
  requestStop(signal: NodeJS.Signals): void {
    this.stopSignal = signal;
  }

  async run(resume: boolean): Promise<TrainResult> {
    const { epochs } = this.config;
    const perEpoch = this.data.batchesPerEpoch;
    if (perEpoch < 1) throw new Error('training data yields no batch (fewer images than one batch with drop-last?)');
    const schedule = this.components.schedules.get(this.config.schedule.name).create(this.config.lr, epochs * perEpoch, this.config.schedule);
    let state: CheckpointMeta = resume ? this.restore() : {
      epoch: 0, batch: 0, step: 0, optimizerStep: 0, emaUpdates: 0, history: [], epochLossSum: 0, epochImages: 0, epochSeconds: 0,
    };
    this.profiler.lap('setup');
    for (let epoch = state.epoch; epoch < epochs; epoch++) {
      let secondsPerBatch = 0;
      for await (const batch of this.data.batches(epoch, state.batch)) {
        this.profiler.lap('data');
        const started = performance.now();
        const { lr, momentum } = schedule.at(state.step);
        const { loss, parts, diagnostics, gradNorm, weightsFinite } = await this.trainStep(batch, lr, momentum, state.step);
        const where = `step ${state.step} (epoch ${epoch + 1}, batch ${state.batch + 1})`;
        if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
          throw new NonFiniteLossError(`${where}: loss is ${loss}, gradient norm ${gradNorm}; stopped before updating the weights — ${describeKeptCheckpoint(this.checkpointFile)}`);
        }
        if (!weightsFinite) {
          throw new NonFiniteLossError(
            `${where}: the update made weights non-finite (loss ${loss}, gradient norm ${gradNorm}; try a lower --lr or --grad-clip); stopped before saving them — ${describeKeptCheckpoint(this.checkpointFile)}`,
          );
        }
        Object.assign(diagnostics, this.task.afterStep?.(diagnostics));
        const seconds = (performance.now() - started) / 1000;
        secondsPerBatch = secondsPerBatch === 0 ? seconds : 0.9 * secondsPerBatch + 0.1 * seconds;
        state = { ...state, step: state.step + 1, batch: state.batch + 1, epochLossSum: state.epochLossSum + loss * batch.shape[0],
          epochImages: state.epochImages + batch.shape[0], epochSeconds: state.epochSeconds + seconds };
        const imagesPerSecond = batch.shape[0] / Math.max(secondsPerBatch, 1e-9);
        this.hooks.progress.step({ epoch, epochs, batch: state.batch, batches: perEpoch, loss, lr, imagesPerSecond, secondsPerBatch });
        if (state.step % this.config.logEvery === 0) {
          this.hooks.record({ type: 'step', step: state.step, epoch, lr, loss, ...parts, ...diagnostics, gradNorm, imagesPerSecond });
        }
        this.profiler.lap('logging');
        if (this.stopSignal) {
          await this.save(state);
          const exitCode = 128 + os.constants.signals[this.stopSignal];
          throw new TrainingInterrupted(`interrupted (${this.stopSignal}) at step ${state.step}; checkpoint saved to ${this.checkpointFile}`, exitCode);
        }
      }
      const record: EpochRecord = {
        epoch, trainLoss: state.epochLossSum / Math.max(state.epochImages, 1), seconds: state.epochSeconds,
        imagesPerSecond: state.epochImages / Math.max(state.epochSeconds, 1e-9),
      };
      if ((epoch + 1) % this.config.evalEvery === 0 || epoch === epochs - 1) {
        Object.assign(record, await this.evaluateBoth());
        this.profiler.lap('evaluation');
      }
      this.hooks.record({ type: 'epoch', ...record });
      this.profiler.lap('logging');
      state = { ...state, epoch: epoch + 1, batch: 0, history: [...state.history, record], epochLossSum: 0, epochImages: 0, epochSeconds: 0 };
      await this.save(state);
      this.profiler.lap('checkpoint');
    }
    return this.finish(state.history);
  }

  /**
   * One optimisation step; returns host-side numbers only (no tensors escape). Everything the step
   * logs (loss, gradient norm, loss parts, tensor diagnostics) comes back in one asynchronous read,
   * and the weights' finiteness in a second after the update: GPU backends read back only
   * asynchronously, and each read waits for the device.
   */
  private async trainStep(batch: Parameters<TaskAdapter<Item>['loss']>[1], lr: number, momentum: number | undefined, step: number) {
    let partNames: string[] = [];
    let hostDiagnostics: Record<string, number> = {};
    let tensorDiagnostics: string[] = [];
    const seed = this.config.seed * 1_000_003 + step;
    if (this.task.prepareStep && !(this.hooks.readsSynchronously ?? readsSynchronously)()) await this.task.prepareStep(batch, () => this.forwardWithoutUpdates(batch, seed));
    const { ordered, stats } = tf.tidy(() => {
      const x = tf.tensor4d(batch.images, batch.shape);
      let logged: tf.Tensor | undefined;
      const { value, grads } = withSeededMathRandom(seed, () =>
        tf.variableGrads(() => {
          const outputs = this.task.model.apply(x, { training: true }) as tf.Tensor | tf.Tensor[];
          const terms = this.task.loss(outputs, batch);
          const diagnostics = this.task.diagnostics?.(outputs, batch) ?? {};
          partNames = Object.keys(terms.parts);
          tensorDiagnostics = Object.keys(diagnostics).filter((k) => diagnostics[k] instanceof tf.Tensor);
          hostDiagnostics = Object.fromEntries(Object.entries(diagnostics).filter(([, v]) => typeof v === 'number')) as Record<string, number>;
          const scalars = [...partNames.map((k) => terms.parts[k]), ...tensorDiagnostics.map((k) => diagnostics[k] as tf.Tensor)];
          // Kept past the tape's scope; disposed by the enclosing tidy once stacked below.
          logged = scalars.length > 0 ? tf.keep(tf.stack(scalars.map((t) => tf.reshape(t, [])))) : undefined;
          return terms.total;
        }, this.trainable),
      );
      // A weight the loss does not reach (e.g. an unused head) gets a zero gradient rather than none.
      const ordered = this.trainable.map((v) => grads[v.name] ?? tf.zerosLike(v));
      const norm = tf.sqrt(tf.addN(ordered.map((g) => tf.sum(tf.square(g)))));
      const head = tf.stack([tf.reshape(value, []), norm]);
      const stats = logged ? tf.concat([head, logged]) : head;
      logged?.dispose();
      return { ordered, stats };
    });
    try {
      const values = await stats.data();
      const [lossValue, gradNorm] = [values[0], values[1]];
      const parts = Object.fromEntries(partNames.map((k, i) => [k, values[2 + i]]));
      const diagnostics = { ...hostDiagnostics, ...Object.fromEntries(tensorDiagnostics.map((k, i) => [k, values[2 + partNames.length + i]])) };
      this.profiler.lap('step');
      if (!Number.isFinite(lossValue) || !Number.isFinite(gradNorm)) return { loss: lossValue, parts, diagnostics, gradNorm, weightsFinite: true };
      const clip = this.config.gradClipNorm;
      const scale = clip > 0 && gradNorm > clip ? clip / (gradNorm + 1e-6) : 1;
      tf.tidy(() => this.optimizer.step(scale === 1 ? ordered : ordered.map((g) => g.mul(scale)), lr, momentum));
      if (!(await this.weightsAreFinite())) return { loss: lossValue, parts, diagnostics, gradNorm, weightsFinite: false };
      await this.profiler.settledLap('update', this.settleUpdate);
      if (this.ema) {
        this.ema.update();
        await this.profiler.settledLap('ema', this.settleEma);
      }
      return { loss: lossValue, parts, diagnostics, gradNorm, weightsFinite: true };
    } finally {
      tf.dispose([...ordered, stats]);
    }
  }

  /**
   * The model's training-mode outputs on `batch` as the taped step will compute them (same
   * weights, batch statistics and seed), with the state a training-mode call updates (batch
   * norm's moving averages: every non-trainable weight) put back afterwards.
   */
  private forwardWithoutUpdates(batch: Parameters<TaskAdapter<Item>['loss']>[1], seed: number): tf.Tensor | tf.Tensor[] {
    const state = this.task.model.nonTrainableWeights.map((w) => w.read() as tf.Variable);
    const saved = state.map((v) => tf.clone(v));
    try {
      return tf.tidy(() => withSeededMathRandom(seed, () => this.task.model.apply(tf.tensor4d(batch.images, batch.shape), { training: true }) as tf.Tensor | tf.Tensor[]));
    } finally {
      state.forEach((v, i) => v.assign(saved[i]));
      tf.dispose(saved);
    }
  }

  /**
   * One reduction over every weight: a sum is NaN or ±Inf when any term is (a finite sum
   * overflowing float32 needs weights near 1e38, broken anyway), read back as one number.
   */
  private async weightsAreFinite(): Promise<boolean> {
    const sum = tf.tidy(() => tf.addN(this.allWeights.map((w) => tf.sum(w))));
    try {
      return Number.isFinite((await sum.data())[0]);
    } finally {
      sum.dispose();
    }
  }

  private async evaluateBoth(): Promise<Pick<EpochRecord, 'metrics' | 'emaMetrics'>> {
    const metrics = await this.task.evaluate();
    this.hooks.record({ type: 'eval', weights: 'live', ...metrics });
    if (!this.ema) return { metrics };
    const emaMetrics = await this.ema.withAveragedWeights(() => this.task.evaluate());
    this.hooks.record({ type: 'eval', weights: 'ema', ...emaMetrics });
    return { metrics, emaMetrics };
  }

  /** Keeps the EMA weights in the model when they scored better on the primary metric. */
  private finish(history: EpochRecord[]): TrainResult {
    const last = history[history.length - 1];
    const sign = this.traits.metricDirection === 'max' ? 1 : -1;
    const primary = (m?: Metrics) => (m ? sign * Number(m[this.traits.primaryMetric]) : -Infinity);
    const usedEma = Boolean(this.ema && last?.emaMetrics && primary(last.emaMetrics) > primary(last.metrics));
    if (usedEma) this.ema!.commit();
    return { history, metrics: (usedEma ? last.emaMetrics : last?.metrics) ?? {}, usedEma };
  }

  private async save(meta: CheckpointMeta): Promise<void> {
    const opt = this.optimizer.state();
    const named: [string, tf.Tensor][] = [
      ...this.allWeights.map((w, i): [string, tf.Tensor] => [`model/${i}`, w]),
      ...(this.ema?.shadows ?? []).map((w, i): [string, tf.Tensor] => [`ema/${i}`, w]),
      ...Object.entries(opt.tensors).map(([k, t]): [string, tf.Tensor] => [`optimizer/${k}`, t]),
    ];
    // Read together: nothing runs between these reads (the loop awaits the save), so the state is one step's.
    const values = await Promise.all(named.map(([, t]) => t.data()));
    const tensors: Record<string, SavedTensor> = Object.fromEntries(
      named.map(([name, t], i) => [name, { shape: t.shape, dtype: 'float32', values: values[i] as Float32Array }]),
    );
    writeCheckpoint(this.checkpointFile, {
      meta: { ...meta, optimizerStep: opt.step, emaUpdates: this.ema?.updateCount ?? 0, taskState: this.task.state?.() },
      tensors,
    });
  }

  private restore(): CheckpointMeta {
    if (!fs.existsSync(this.checkpointFile)) throw new CheckpointError(`${path.dirname(this.checkpointFile)}: no checkpoint to resume from`);
    const { meta, tensors } = readCheckpoint<CheckpointMeta>(this.checkpointFile);
    const load = (name: string, target: tf.Variable) => {
      const saved = tensors[name];
      if (!saved || saved.shape.join() !== target.shape.join()) {
        throw new CheckpointError(`${this.checkpointFile}: '${name}' is missing or has another shape — was it written by a different model config?`);
      }
      tf.tidy(() => target.assign(tf.tensor(saved.values, saved.shape)));
    };
    this.allWeights.forEach((w, i) => load(`model/${i}`, w));
    this.ema?.shadows.forEach((w, i) => load(`ema/${i}`, w));
    this.ema?.setUpdateCount(meta.emaUpdates);
    if (meta.taskState !== undefined) this.task.restoreState?.(meta.taskState);
    const optTensors = Object.fromEntries(
      Object.entries(tensors).filter(([k]) => k.startsWith('optimizer/')).map(([k, t]) => [k.slice('optimizer/'.length), tf.tensor(t.values, t.shape)]),
    );
    try {
      this.optimizer.loadState({ step: meta.optimizerStep, tensors: optTensors });
    } finally {
      Object.values(optTensors).forEach((t) => t.dispose());
    }
    return meta;
  }

  dispose(): void {
    this.optimizer.dispose();
    this.ema?.dispose();
  }
}
