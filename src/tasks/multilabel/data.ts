/** The multi-label splits of a run: COCO instances (labels = categories present) or Planet-style CSV. */
import type { RunConfig } from '../../core/run-config';
import { DataError, Dataset, MultiLabelRecord } from '../../core/data/records';
import { readCocoMultiLabel, readCsvMultiLabel } from '../../core/data/formats';
import { locateData, type DataEnvironment } from '../common/locate-data';
import { requireImages, runSkips, type RunSkips } from '../../core/data/skips';

export interface MultiLabelSplits {
  train?: Dataset<MultiLabelRecord>;
  val: Dataset<MultiLabelRecord>;
  skips: RunSkips;
}

/** @param trainedClasses with an evaluation-only read (no train split), the model's classes. */
export function readMultiLabelSplits(config: RunConfig, env: DataEnvironment, trainedClasses?: string[]): MultiLabelSplits {
  const { train, val } = readMultiLabelDatasets(config, env, trainedClasses);
  return { train, val, skips: runSkips(train, val, config.data.skipBad) };
}

/** Train (first, so that an empty one is named as such), then val; each must keep an image. */
function readMultiLabelDatasets(config: RunConfig, env: DataEnvironment, trainedClasses?: string[]): Omit<MultiLabelSplits, 'skips'> {
  const withTrain = trainedClasses === undefined;
  const { splits, readerOptions } = locateData(config, 'multilabel', env);
  const opts = { skipBad: config.data.skipBad, ...readerOptions };
  if (splits.format === 'coco') {
    const train = withTrain ? requireImages('train', readCocoMultiLabel(splits.train.annotationFile, splits.train.imageDir, opts)) : undefined;
    const val = requireImages('val', readCocoMultiLabel(splits.val.annotationFile, splits.val.imageDir, opts));
    if (train && train.classes.join('\n') !== val.classes.join('\n')) {
      throw new DataError(`${splits.val.annotationFile}: categories differ from the training split's (${splits.train.annotationFile})`);
    }
    return { train, val };
  }
  if (splits.format === 'csv') {
    // Class names come from the training CSV (or the trained model): the val CSV must use them.
    const train = withTrain ? requireImages('train', readCsvMultiLabel(splits.train.csvFile, opts)) : undefined;
    const val = requireImages('val', readCsvMultiLabel(splits.val.csvFile, opts, train?.classes ?? trainedClasses));
    return { train, val };
  }
  throw new DataError(`${splits.format} data cannot feed the multilabel task`);
}
