/** The classifier both classification tasks train: the configured backbone + global pool + dense logits. */
import type { tf } from '../../core/tf';
import type { RunConfig } from '../../core/run-config';
import type { BackboneRegistry } from '../../backbones/registry';
import { buildClassifier } from '../../backbones/classifier';
import { withSeededMathRandom } from '../../core/engine/seeded-math-random';

/** A classifier of `numClasses` logits, initialised from the run seed (same seed → same weights). */
export function buildClassificationModel(config: RunConfig, numClasses: number, backbones: BackboneRegistry): tf.LayersModel {
  const { backbone, imageSize, widthMultiplier, stemStride, taps } = config.model;
  if (stemStride !== 1 && stemStride !== 2) throw new Error(`model.stemStride must be 1 or 2, got ${stemStride}`);
  return withSeededMathRandom(config.train.seed, () =>
    buildClassifier(backbones.create(backbone, { inputShape: [imageSize, imageSize, 3], widthMultiplier, stemStride, taps }), numClasses),
  );
}
