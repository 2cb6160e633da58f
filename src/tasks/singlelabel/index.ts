/**
 * The `singlelabel` task definition: defaults (built-in MNIST as an ImageFolder, cross-entropy),
 * data → loaders, model, and `predict` (top-k classes per image).
 */
import { tf } from '../../core/tf';
import { baseRunConfig, RunConfig } from '../../core/run-config';
import type { PrepareOptions, PreparedTask, Prediction, TaskDefinition, TaskEnvironment } from '../../core/registry/task-registry';
import type { SingleLabelRecord } from '../../core/data/records';
import { buildClassificationModel } from '../common/classification-model';
import { classificationAugment, evalLoader, limitRecords, trainLoader } from '../common/loaders';
import { forEachPrediction } from '../common/predict';
import { SingleLabelItem, SingleLabelTask } from './singlelabel-task';
import { readSingleLabelSplits } from './data';

const toItem = (record: SingleLabelRecord): SingleLabelItem => ({ label: record.label });

export const singlelabelTask: TaskDefinition = {
  name: 'singlelabel',
  description: 'Single-label classification (softmax), evaluated by top-1/top-5 accuracy',

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

  async prepare(config: RunConfig, env: TaskEnvironment, options: PrepareOptions = {}): Promise<PreparedTask> {
    const criterion = env.losses.create(config.loss, config.lossParams);
    const splits = readSingleLabelSplits(config, env, options.model ? options.classes : undefined);
    const classes = splits.val.classes;
    const model = options.model ?? buildClassificationModel(config, classes.length);
    const val = evalLoader(config, limitRecords(splits.val.records, config.data.maxValImages), toItem);
    const adapter = new SingleLabelTask(model, criterion, classes, val);
    const train = splits.train && trainLoader(config, limitRecords(splits.train.records, config.data.maxTrainImages), toItem, classificationAugment(config));
    return { adapter: adapter as PreparedTask['adapter'], train: train as PreparedTask['train'], classes, skipped: [...(splits.train?.skipped ?? []), ...splits.val.skipped] };
  },

  async predict(model, config, classes, files, { topK }): Promise<Prediction[]> {
    const loader = evalLoader(config, files.map((file) => ({ file })), () => undefined);
    const out: Prediction[] = [];
    await forEachPrediction(model, loader, (outputs, batch) => {
      const probs = tf.softmax(outputs as tf.Tensor2D).arraySync() as number[][];
      probs.forEach((row, i) => {
        const top = row.map((p, k) => ({ label: classes[k], score: p })).sort((a, b) => b.score - a.score).slice(0, topK);
        out.push({ image: batch.records[i].file, label: top[0].label, top });
      });
    });
    return out;
  },
};
