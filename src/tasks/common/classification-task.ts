/**
 * What the two classification tasks share: data splits → loaders, the classifier model, the
 * adapter, and per-image class probabilities for `predict`. Each task supplies its splits reader,
 * its target mapping, its adapter and its output activation.
 */
import { tf } from '../../core/tf';
import type { RunConfig } from '../../core/run-config';
import type { Dataset, ImageRecord } from '../../core/data/records';
import type { TaskAdapter } from '../../core/engine/task';
import type { Loss } from '../../losses/loss-plugin';
import type { PrepareOptions, PreparedTask, TaskEnvironment } from '../../core/registry/task-registry';
import type { LossRegistry } from '../../core/registry/loss-registry';
import type { BackboneRegistry } from '../../backbones/registry';
import type { DatasetRegistry } from '../../core/data/builtin';
import type { DataEnvironment } from './locate-data';
import { buildClassificationModel } from './classification-model';
import { classificationAugment, evalLoader, limitRecords, trainLoader } from './loaders';
import { forEachPrediction } from './predict';
import type { BatchLoader } from '../../core/data/pipeline/loader';
import type { RunSkips } from '../../core/data/skips';

/** What a classification task is built with (injected by the composition root). */
export interface ClassificationDeps {
  losses: LossRegistry;
  backbones: BackboneRegistry;
  datasets: DatasetRegistry;
}

export interface ClassificationRecipe<R extends ImageRecord, Item> {
  readSplits(config: RunConfig, env: DataEnvironment, trainedClasses?: string[]): { train?: Dataset<R>; val: Dataset<R>; skips: RunSkips };
  toItem(record: R): Item;
  makeAdapter(model: tf.LayersModel, criterion: Loss, classes: string[], val: BatchLoader<R, Item>): TaskAdapter<Item>;
}

export async function prepareClassification<R extends ImageRecord, Item>(
  recipe: ClassificationRecipe<R, Item>,
  deps: ClassificationDeps,
  config: RunConfig,
  env: TaskEnvironment,
  options: PrepareOptions,
): Promise<PreparedTask> {
  const criterion = deps.losses.create(config.loss, config.lossParams);
  const splits = recipe.readSplits(config, { ...env, datasets: deps.datasets }, options.model ? options.classes : undefined);
  const classes = splits.val.classes;
  const model = options.model ?? buildClassificationModel(config, classes.length, deps.backbones);
  const val = evalLoader(config, limitRecords(splits.val.records, config.data.maxValImages), recipe.toItem, splits.skips.val);
  const adapter = recipe.makeAdapter(model, criterion, classes, val);
  const train = splits.train && trainLoader(config, limitRecords(splits.train.records, config.data.maxTrainImages), recipe.toItem, classificationAugment(config), splits.skips.train);
  return {
    adapter: adapter as PreparedTask['adapter'],
    train: train as PreparedTask['train'],
    classes,
    skips: splits.skips.ledger,
  };
}

export interface ClassScores {
  image: string;
  /** Class probabilities in the model's class order. */
  probabilities: number[];
  /** The topK classes, highest first. */
  top: { label: string; score: number }[];
}

/** Runs the model on image files (the eval transform of `config`) and ranks the classes of each. */
export async function classScores(
  model: tf.LayersModel,
  config: RunConfig,
  classes: string[],
  files: string[],
  activation: (logits: tf.Tensor2D) => tf.Tensor2D,
  topK: number,
): Promise<ClassScores[]> {
  const loader = evalLoader(config, files.map((file) => ({ file })), () => undefined);
  const out: ClassScores[] = [];
  const c = classes.length;
  await forEachPrediction(model, loader, (outputs) => activation(outputs as tf.Tensor2D), (probs, batch) => {
    batch.records.forEach((record, i) => {
      const row = Array.from(probs.subarray(i * c, (i + 1) * c));
      const top = row.map((p, k) => ({ label: classes[k], score: p })).sort((a, b) => b.score - a.score).slice(0, topK);
      out.push({ image: record.file, probabilities: row, top });
    });
  });
  return out;
}
