/**
 * The `multilabel` task definition: defaults (built-in mnist-multilabel, ASL, the reference
 * recipe scaled to a short CPU run), data → loaders, model, and `predict`.
 */
import { tf } from '../../core/tf';
import { z } from '../../core/schema';
import { baseRunConfig, RunConfig } from '../../core/run-config';
import type { PrepareOptions, PreparedTask, Prediction, TaskDefinition, TaskEnvironment } from '../../core/registry/task-registry';
import type { MultiLabelRecord } from '../../core/data/records';
import { classScores, prepareClassification, type ClassificationDeps } from '../common/classification-task';
import { MultiLabelItem, MultiLabelTask } from './multilabel-task';
import { readMultiLabelSplits } from './data';
import { AdaptiveAsymmetry } from './adaptive-asymmetry';

const toItem = (record: MultiLabelRecord): MultiLabelItem => ({ labels: record.labels });

/** The multilabel task with its components (bound in the composition root). */
export const createMultilabelTask = (deps: ClassificationDeps): TaskDefinition => ({
  name: 'multilabel',
  description: 'Multi-label classification (sigmoid per class), evaluated by mAP as the ASL reference computes it',
  traits: { lossKind: 'sigmoid', primaryMetric: 'mAP', metricDirection: 'max' },

  // No task options: any key given is an error naming it.
  optionsSchema: z.strictObject({}),

  defaults(): RunConfig {
    const config = baseRunConfig();
    config.task = 'multilabel';
    config.loss = 'asl';
    config.data.builtin = 'mnist-multilabel';
    // Digits: a mirrored 2 is no 2; and on 64x64 canvases a Cutout hole erases whole digits
    // (measured: mAP 63 with one 16-px hole vs 67 without, 3 epochs of 6000 images).
    config.augment.hflip = 0;
    config.augment.cutoutHoles = 0;
    // A short CPU schedule wants a high peak lr (measured at 3 epochs: 2e-3 → mAP 67, 8e-3 → 87).
    config.train.lr = 8e-3;
    config.train.epochs = 5;
    return config;
  },

  prepare(config: RunConfig, env: TaskEnvironment, options: PrepareOptions = {}): Promise<PreparedTask> {
    return prepareClassification<MultiLabelRecord, MultiLabelItem>(
      {
        readSplits: readMultiLabelSplits,
        toItem,
        makeAdapter: (model, criterion, classes, val) => {
          const adaptive = criterion.params.adaptive === true
            ? new AdaptiveAsymmetry(criterion.params, (params) => deps.losses.create(config.loss, params))
            : undefined;
          return new MultiLabelTask(model, criterion, classes, val, adaptive);
        },
      },
      deps,
      config,
      env,
      options,
    );
  },

  async predict(model, config, classes, files, { topK }): Promise<Prediction[]> {
    const scored = await classScores(model, config, classes, files, tf.sigmoid, topK);
    return scored.map(({ image, probabilities, top }) => ({
      image,
      labels: classes.filter((_, k) => probabilities[k] >= 0.5),
      top,
      scores: Object.fromEntries(classes.map((c, k) => [c, probabilities[k]])),
    }));
  },
});
