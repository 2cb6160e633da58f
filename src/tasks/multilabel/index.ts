/**
 * The `multilabel` task definition: defaults (built-in mnist-multilabel, ASL, the reference
 * recipe scaled to a short CPU run), data → loaders, model, and `predict`.
 */
import { tf } from '../../core/tf';
import { baseRunConfig, RunConfig } from '../../core/run-config';
import type { PrepareOptions, PreparedTask, Prediction, TaskDefinition, TaskEnvironment } from '../../core/registry/task-registry';
import type { MultiLabelRecord } from '../../core/data/records';
import { buildClassificationModel } from '../common/classification-model';
import { evalLoader, classificationAugment, limitRecords, trainLoader } from '../common/loaders';
import { forEachPrediction } from '../common/predict';
import { MultiLabelItem, MultiLabelTask } from './multilabel-task';
import { readMultiLabelSplits } from './data';
import { AdaptiveAsymmetry } from './adaptive-asymmetry';

const toItem = (record: MultiLabelRecord): MultiLabelItem => ({ labels: record.labels });

export const multilabelTask: TaskDefinition = {
  name: 'multilabel',
  description: 'Multi-label classification (sigmoid per class), evaluated by mAP as the ASL reference computes it',

  defaults(): RunConfig {
    const config = baseRunConfig();
    config.task = 'multilabel';
    config.loss = 'asl';
    config.data.builtin = 'mnist-multilabel';
    // Digits: a mirrored 2 is no 2.
    config.augment.hflip = 0;
    return config;
  },

  async prepare(config: RunConfig, env: TaskEnvironment, options: PrepareOptions = {}): Promise<PreparedTask> {
    const criterion = env.losses.create(config.loss, config.lossParams);
    const splits = readMultiLabelSplits(config, env, options.model ? options.classes : undefined);
    const classes = splits.val.classes;
    const model = options.model ?? buildClassificationModel(config, classes.length);
    const val = evalLoader(config, limitRecords(splits.val.records, config.data.maxValImages), toItem);
    const adaptive = criterion.params.adaptive === true
      ? new AdaptiveAsymmetry(criterion.params, (params) => env.losses.create(config.loss, params))
      : undefined;
    const adapter = new MultiLabelTask(model, criterion, classes, val, adaptive);
    const train = splits.train && trainLoader(config, limitRecords(splits.train.records, config.data.maxTrainImages), toItem, classificationAugment(config));
    return { adapter: adapter as PreparedTask['adapter'], train: train as PreparedTask['train'], classes, skipped: [...(splits.train?.skipped ?? []), ...splits.val.skipped] };
  },

  async predict(model, config, classes, files, { topK }): Promise<Prediction[]> {
    const loader = evalLoader(config, files.map((file) => ({ file })), () => undefined);
    const out: Prediction[] = [];
    await forEachPrediction(model, loader, (outputs, batch) => {
      const probs = tf.sigmoid(outputs as tf.Tensor2D).arraySync() as number[][];
      probs.forEach((row, i) => {
        const ranked = row.map((p, k) => ({ label: classes[k], score: p })).sort((a, b) => b.score - a.score);
        out.push({
          image: batch.records[i].file,
          labels: ranked.filter((r) => r.score >= 0.5).map((r) => r.label),
          top: ranked.slice(0, topK),
          scores: Object.fromEntries(classes.map((c, k) => [c, row[k]])),
        });
      });
    });
    return out;
  },
};
