/**
 * Tasks by name. A TaskDefinition knows its default config and how to turn a resolved config
 * into a ready TaskAdapter with its data; the engine and the CLI know nothing task-specific.
 */
import type { BatchSource, TaskAdapter } from '../engine/task';
import type { RunConfig } from '../run-config';
import type { LossRegistry } from './loss-registry';
import type { tf } from '../tf';
import type { JsonObject } from '../config';
import type { z } from '../schema';
import type { SkipLedger } from '../data/skips';

export interface TaskEnvironment {
  losses: LossRegistry;
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

/** What `compare` and the CLI read of a task: the loss kind it trains with and the metric that ranks runs. */
export interface TaskTraits {
  lossKind: 'sigmoid' | 'softmax';
  primaryMetric: string;
  metricDirection: 'max' | 'min';
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

export class TaskRegistry {
  private readonly tasks = new Map<string, TaskDefinition>();

  register(task: TaskDefinition): void {
    if (this.tasks.has(task.name)) throw new Error(`task '${task.name}' is already registered`);
    this.tasks.set(task.name, task);
  }

  get(name: string): TaskDefinition {
    const task = this.tasks.get(name);
    if (!task) throw new Error(`--task: unknown task '${name}' (known: ${this.names().join(', ')})`);
    return task;
  }

  names(): string[] {
    return [...this.tasks.keys()];
  }
}
