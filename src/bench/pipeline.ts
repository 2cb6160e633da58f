/**
 * Figure 4: can the input pipeline feed training? Decode + augment + normalise throughput of the
 * training BatchLoader (the default run config's augmentations) on the built-in mnist-multilabel
 * files, against the images/s the default multi-label training step consumes. Rounds alternate a
 * pipeline epoch and a burst of training steps; the ratio is the median of per-round ratios.
 */
import * as path from 'path';
import { ensureBuiltinDataset } from '../core/data/builtin';
import { MNIST_MULTILABEL } from '../core/data/builtin/mnist-multilabel';
import { readCocoMultiLabel } from '../core/data/formats';
import { BatchLoader } from '../core/data/pipeline/loader';
import type { MultiLabelRecord } from '../core/data/records';
import { baseRunConfig } from '../core/run-config';
import { classificationAugment, normalizationOf } from '../tasks/common/loaders';
import { createContainer, TOKENS } from '../core/container';
import type { LossRegistry } from '../core/registry/loss-registry';
import { interleave, medianRatio } from './timing';
import { buildMultiLabelModel, multiLabelLoss, syntheticBatch, TrainStep } from './workloads';

export interface PipelineOptions {
  /** Training images generated (the loader reads all of them per round). */
  trainCount: number;
  /** Network input size; the built-in images are 64x64. */
  imageSize: number;
  batchSize: number;
  rounds: number;
  trainStepsPerRound: number;
  /** Built-in dataset cache; default the package's (ASL_RUN_CACHE or ~/.cache/asl-run). */
  cacheDir?: string;
}

export interface PipelineResult {
  dataset: string;
  images: number;
  batchSize: number;
  /** Per round. */
  pipelineImagesPerSecond: number[];
  trainingImagesPerSecond: number[];
  /** Median over rounds of pipeline images/s / training images/s. */
  pipelineOverTraining: number;
}

/** The training loader of the default run config over the built-in set's train split. */
function defaultTrainLoader(o: PipelineOptions): { loader: BatchLoader<MultiLabelRecord, number[]>; root: string } {
  const root = ensureBuiltinDataset(MNIST_MULTILABEL, { trainCount: o.trainCount, valCount: 64, cacheDir: o.cacheDir });
  const dataset = readCocoMultiLabel(path.join(root, 'annotations', 'instances_train.json'), path.join(root, 'train'), { allowEmpty: true, skipBad: false });
  const config = baseRunConfig();
  const loader = new BatchLoader(dataset.records, (record) => record.labels, {
    width: o.imageSize,
    height: o.imageSize,
    batchSize: o.batchSize,
    seed: 0,
    shuffle: true,
    dropLast: true,
    normalization: normalizationOf(config),
    augment: classificationAugment(config),
  });
  return { loader, root };
}

/** Runs the training side on the active backend. */
export async function runPipeline(o: PipelineOptions): Promise<PipelineResult> {
  const { loader, root } = defaultTrainLoader(o);
  const losses = createContainer().get<LossRegistry>(TOKENS.LossRegistry);
  const batch = syntheticBatch(o.batchSize, o.imageSize);
  const asl = multiLabelLoss(losses.create('asl'), batch);
  const trainer = new TrainStep(buildMultiLabelModel(o.imageSize), batch);
  let epoch = 0;
  let images = 0;
  const readEpoch = async () => {
    images = 0;
    for await (const b of loader.batches(epoch++)) images += b.shape[0];
  };
  const train = async () => {
    for (let i = 0; i < o.trainStepsPerRound; i++) await trainer.run(asl.lossFn);
  };
  try {
    await readEpoch(); // warm-up: file cache, JIT
    await train();
    const { a, b } = await interleave(o.rounds, readEpoch, train);
    const pipeline = a.map((s) => images / s);
    const training = b.map((s) => (o.trainStepsPerRound * o.batchSize) / s);
    return {
      dataset: path.basename(root), images, batchSize: o.batchSize,
      pipelineImagesPerSecond: pipeline, trainingImagesPerSecond: training, pipelineOverTraining: medianRatio(pipeline, training),
    };
  } finally {
    trainer.dispose();
    asl.dispose();
  }
}
