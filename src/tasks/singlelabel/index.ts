/**
 * The `singlelabel` task definition: defaults (built-in MNIST as an ImageFolder, cross-entropy),
 * data → loaders, model, and `predict` (top-k classes per image).
 */
import { tf } from '../../core/tf';
import { z } from '../../core/schema';
import { baseRunConfig, RunConfig } from '../../core/run-config';
import type { PrepareOptions, PreparedTask, Prediction, TaskDefinition, TaskEnvironment } from '../../core/registry/task-registry';
import type { SingleLabelRecord } from '../../core/data/records';
import { classScores, prepareClassification, type ClassificationDeps } from '../common/classification-task';
import { SingleLabelItem, SingleLabelTask } from './singlelabel-task';
import { readSingleLabelSplits } from './data';

const toItem = (record: SingleLabelRecord): SingleLabelItem => ({ label: record.label });

/** The singlelabel task with its components (bound in the composition root). */
export const createSinglelabelTask = (deps: ClassificationDeps): TaskDefinition => ({
  name: 'singlelabel',
  description: 'Single-label classification (softmax), evaluated by top-1/top-5 accuracy',
  traits: { lossKind: 'softmax', primaryMetric: 'top1', metricDirection: 'max' },

  // No task options: any key given is an error naming it.
  optionsSchema: z.strictObject({}),

  defaults(): RunConfig {
    const config = baseRunConfig();
    config.task = 'singlelabel';
    config.loss = 'ce';
    config.data.builtin = 'mnist';
    config.model.imageSize = 28;
    config.augment.hflip = 0;
    config.augment.cutoutHoles = 0;
    config.train.epochs = 3;
    config.train.batchSize = 128;
    return config;
  },

  prepare(config: RunConfig, env: TaskEnvironment, options: PrepareOptions = {}): Promise<PreparedTask> {
    return prepareClassification<SingleLabelRecord, SingleLabelItem>(
      { readSplits: readSingleLabelSplits, toItem, makeAdapter: (...args) => new SingleLabelTask(...args) },
      deps,
      config,
      env,
      options,
    );
  },

  async predict(model, config, classes, files, { topK }): Promise<Prediction[]> {
    const scored = await classScores(model, config, classes, files, tf.softmax, topK);
    return scored.map(({ image, top }) => ({ image, label: top[0].label, top }));
  },
});
