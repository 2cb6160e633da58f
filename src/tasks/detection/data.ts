/** The detection splits of a run: COCO instances or Pascal VOC, each with its COCO ground truth. */
import type { RunConfig } from '../../core/run-config';
import { DataError } from '../../core/data/records';
import { readCocoDetection, readVoc, type CocoDetectionDataset } from '../../core/data/formats';
import { locateData, type DataEnvironment } from '../common/locate-data';
import { requireImages, runSkips, type RunSkips } from '../../core/data/skips';

export interface DetectionSplits {
  train?: CocoDetectionDataset;
  val: CocoDetectionDataset;
  skips: RunSkips;
}

/** @param trainedClasses with an evaluation-only read (no train split), the model's classes, which the data must use. */
export function readDetectionSplits(config: RunConfig, env: DataEnvironment, trainedClasses?: string[]): DetectionSplits {
  const withTrain = trainedClasses === undefined;
  const { splits } = locateData(config, 'detection', env);
  const opts = { skipBad: config.data.skipBad };
  let result: Omit<DetectionSplits, 'skips'>;
  let valSource: string;
  if (splits.format === 'coco') {
    const train = withTrain ? requireImages('train', readCocoDetection(splits.train.annotationFile, splits.train.imageDir, opts)) : undefined;
    const val = requireImages('val', readCocoDetection(splits.val.annotationFile, splits.val.imageDir, opts));
    if (train && train.classes.join('\n') !== val.classes.join('\n')) {
      throw new DataError(`${splits.val.annotationFile}: categories differ from the training split's (${splits.train.annotationFile})`);
    }
    result = { train, val };
    valSource = splits.val.annotationFile;
  } else if (splits.format === 'voc') {
    // The class list comes from the training split (or the trained model); val must use it.
    const train = withTrain ? requireImages('train', readVoc(splits.root, splits.train.split, opts)) : undefined;
    result = { train, val: requireImages('val', readVoc(splits.root, splits.val.split, opts, train?.classes ?? trainedClasses)) };
    valSource = `${splits.root} (split ${splits.val.split})`;
  } else {
    throw new DataError(`${splits.format} data cannot feed the detection task (it needs COCO instances or Pascal VOC)`);
  }
  if (trainedClasses && result.val.classes.join('\n') !== trainedClasses.join('\n')) {
    throw new DataError(`${valSource}: classes [${result.val.classes.join(', ')}] differ from the model's [${trainedClasses.join(', ')}]`);
  }
  return { ...result, skips: runSkips(result.train, result.val, config.data.skipBad) };
}
