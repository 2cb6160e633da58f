/** The single-label splits of a run: torchvision ImageFolder (`train/<class>/…`, `val/<class>/…`) or CSV `image,label`. */
import type { RunConfig } from '../../core/run-config';
import { DataError, Dataset, SingleLabelRecord } from '../../core/data/records';
import { readCsvSingleLabel, readImageFolder } from '../../core/data/formats';
import { locateData, type DataEnvironment } from '../common/locate-data';
import { requireImages, runSkips, type RunSkips } from '../../core/data/skips';

export interface SingleLabelSplits {
  train?: Dataset<SingleLabelRecord>;
  val: Dataset<SingleLabelRecord>;
  skips: RunSkips;
}

/**
 * Class index = sorted training class names; the val split must use the same classes.
 * @param trainedClasses with an evaluation-only read (no train split), the model's classes.
 */
export function readSingleLabelSplits(config: RunConfig, env: DataEnvironment, trainedClasses?: string[]): SingleLabelSplits {
  const { splits } = locateData(config, 'singlelabel', env);
  const opts = { skipBad: config.data.skipBad };
  const read = (which: 'train' | 'val', classes?: string[]): Dataset<SingleLabelRecord> => {
    if (splits.format === 'imagefolder') return readImageFolder(splits[which].dir, opts, classes);
    if (splits.format === 'csv') return readCsvSingleLabel(splits[which].csvFile, opts, classes);
    throw new DataError(`${splits.format} data cannot feed the singlelabel task`);
  };
  const train = trainedClasses === undefined ? requireImages('train', read('train')) : undefined;
  const val = requireImages('val', read('val', train?.classes ?? trainedClasses));
  // A val split may lack some training classes; the model's outputs follow the training classes.
  return { train, val: { ...val, classes: train?.classes ?? trainedClasses ?? val.classes }, skips: runSkips(train, val, config.data.skipBad) };
}
