/**
 * Tasks by name. A TaskDefinition knows its default config and how to turn a resolved config
 * into a ready TaskAdapter with its data; the engine and the CLI know nothing task-specific.
 */
import type { BatchSource, TaskAdapter } from '../engine/task';
import type { RunConfig } from '../run-config';
import { Registry } from './registry';
import type { LossKind } from '../../losses/loss-plugin';
import type { tf } from '../tf';
import type { JsonObject } from '../config';
import type { z } from '../schema';
import type { SkipLedger } from '../data/skips';

/** What one run hands a task besides its config (the task's components are injected at construction). */
export interface TaskEnvironment {
  /** Status lines for the user (stderr). */
  log: (line: string) => void;
}

export interface PreparedTask {
  adapter: TaskAdapter<unknown>;
  /** The training batches; absent when prepared for evaluation only. */
  train?: BatchSource<unknown>;
  classes: string[];
  /** Images skipped under --skip-bad: the readers' now, the loaders' as they meet them. */
  skips: SkipLedger;
}

export interface PrepareOptions {
  /** Evaluate this (loaded) model instead of building a fresh one; no training data is read. */
  model?: tf.LayersModel;
  /** The classes the loaded model was trained on, in its output order. */
  classes?: string[];
}

/** What `predict` prints for one image. */
export type Prediction = Record<string, unknown>;

/** What `compare` and the engine need to know of a task without preparing it. */
export interface TaskTraits {
  /** The kind of loss the task's head is trained with (sigmoid: multi-hot targets; softmax: one class id). */
  readonly lossKind: LossKind;
  /** Headline metric, as in the task's evaluation output; it decides between the EMA and the live weights. */
  readonly primaryMetric: string;
  /** Whether a larger primary metric is better (`max`) or a smaller one (`min`). */
  readonly metricDirection: 'max' | 'min';
}

export interface TaskDefinition {
  readonly name: string;
  readonly description: string;
  readonly traits: TaskTraits;
  /**
   * The complete default config of this task (built-in dataset, model, recipe).
   * @param taskOptions the user's `taskOptions` (config file, then flags), for tasks whose defaults
   *   depend on a variant chosen there (detection: `head`); the caller still merges them on top.
   */
  defaults(taskOptions?: JsonObject): RunConfig;
  /** The schema of this task's complete `taskOptions` (defaults filled in): every key, its range; unknown keys are errors. */
  readonly optionsSchema: z.ZodType;
  prepare(config: RunConfig, env: TaskEnvironment, options?: PrepareOptions): Promise<PreparedTask>;
  /** Predictions for image files with a trained model. */
  predict(model: tf.LayersModel, config: RunConfig, classes: string[], files: string[], options: { topK: number }): Promise<Prediction[]>;
}

export class TaskRegistry extends Registry<TaskDefinition> {
  constructor(builtins: readonly TaskDefinition[] = []) {
    super('task', '--task', builtins);
  }
}
