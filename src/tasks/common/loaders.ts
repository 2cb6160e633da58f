/**
 * Builds the train and eval BatchLoaders of a task from the run config: the same pipeline for
 * every task, with the task's target function.
 */
import type { RunConfig } from '../../core/run-config';
import type { ImageRecord } from '../../core/data/records';
import { BatchLoader, TargetFn } from '../../core/data/pipeline/loader';
import type { AugmentOptions, Normalization } from '../../core/data/pipeline/transform';
import type { SplitSkips } from '../../core/data/skips';

/** The config's normalisation (its 3 + 3 numbers and std > 0 are checked by the config schema). */
export function normalizationOf(config: RunConfig): Normalization {
  const { mean, std } = config.input;
  return { mean: mean as [number, number, number], std: std as [number, number, number] };
}

/** The classification augmentations of the config (detection adds its own box-aware ones). */
export function classificationAugment(config: RunConfig): AugmentOptions {
  const a = config.augment;
  return {
    hflip: a.hflip,
    cutout: a.cutoutHoles > 0 ? { holes: a.cutoutHoles, size: a.cutoutSize, fill: 'random' } : undefined,
    randomResizedCrop: a.cropScaleMin < 1 ? { scale: [a.cropScaleMin, 1], ratio: [a.cropRatioMin, a.cropRatioMax] } : undefined,
  };
}

/**
 * `max` records spread evenly over the list (0 = all): quick experiments, tests. Evenly rather
 * than the first `max`, because readers list some formats by class (ImageFolder), and a prefix
 * would drop whole classes.
 */
export function limitRecords<R>(records: R[], max: number): R[] {
  if (max <= 0 || max >= records.length) return records;
  return Array.from({ length: max }, (_, i) => records[Math.floor((i * records.length) / max)]);
}

/** @param skips where images that fail to decode under --skip-bad are counted (the split's SkipLedger entry). */
export function trainLoader<R extends ImageRecord, T>(
  config: RunConfig, records: R[], target: TargetFn<R, T>, augment: AugmentOptions, skips?: SplitSkips,
): BatchLoader<R, T> {
  const size = config.model.imageSize;
  return new BatchLoader(records, target, {
    width: size,
    height: size,
    batchSize: config.train.batchSize,
    seed: config.train.seed,
    shuffle: true,
    dropLast: records.length >= config.train.batchSize,
    normalization: normalizationOf(config),
    fit: config.input.fit,
    padValue: config.input.padValue,
    augment,
    skipBad: config.data.skipBad,
    skips,
  });
}

export function evalLoader<R extends ImageRecord, T>(config: RunConfig, records: R[], target: TargetFn<R, T>, skips?: SplitSkips): BatchLoader<R, T> {
  const size = config.model.imageSize;
  return new BatchLoader(records, target, {
    width: size,
    height: size,
    batchSize: Math.max(config.train.batchSize, 64),
    seed: config.train.seed,
    shuffle: false,
    dropLast: false,
    normalization: normalizationOf(config),
    fit: config.input.fit,
    padValue: config.input.padValue,
    cacheMB: config.input.cacheMB,
    skipBad: config.data.skipBad,
    skips,
  });
}
