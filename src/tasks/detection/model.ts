/**
 * The detector as one tfjs-layers model: backbone → FPN at the configured strides (levels past the
 * backbone's deepest stride are FPN extra levels) → the head's layers per level (head.ts) → output
 * rows [B, L, C + extraColumns] in LocationGrid order (level by level, row-major within a level).
 * The model is named `<head>_<backbone>`.
 */
import { tf } from '../../core/tf';
import type { RunConfig } from '../../core/run-config';
import type { BackboneRegistry } from '../../backbones/registry';
import { buildFpn, type FeaturePyramid } from '../../backbones/fpn';
import { applyLayer, type Backbone } from '../../backbones/backbone';
import { withSeededMathRandom } from '../../core/engine/seeded-math-random';
import type { DetectionOptions } from './options';
import type { DetectionHead } from './head';

/** The backbone maps at the requested strides, and how many FPN extra levels complete the list. */
function pyramidInputs(backbone: Backbone, strides: number[]): { features: tf.SymbolicTensor[]; strides: number[]; extraLevels: 0 | 1 | 2 } {
  const picked = strides.filter((s) => backbone.strides.includes(s));
  const deepest = Math.max(...backbone.strides);
  if (picked.length === 0 || picked.some((s, i) => s !== strides[i])) {
    throw new Error(`taskOptions.strides ${JSON.stringify(strides)}: backbone '${backbone.name}' has strides ${JSON.stringify(backbone.strides)}; the first level must be one of them`);
  }
  const extra = strides.length - picked.length;
  if (extra > 2 || strides.slice(picked.length).some((s) => s <= deepest)) {
    throw new Error(`taskOptions.strides ${JSON.stringify(strides)}: at most 2 levels beyond backbone '${backbone.name}'s deepest stride ${deepest}`);
  }
  return { features: picked.map((s) => backbone.features[backbone.strides.indexOf(s)]), strides: picked, extraLevels: extra as 0 | 1 | 2 };
}

/**
 * The part every detection head shares: backbone of `config.model` → FPN at `options.strides`
 * with `options.channels` channels. Call inside the builder's seeded scope.
 */
export function backbonePyramid(
  backbones: BackboneRegistry, config: RunConfig, numClasses: number, options: Pick<DetectionOptions, 'strides' | 'channels'>,
): { backbone: Backbone; pyramid: FeaturePyramid } {
  const { backbone: name, imageSize, widthMultiplier, stemStride, taps } = config.model;
  if (stemStride !== 1 && stemStride !== 2) throw new Error(`model.stemStride must be 1 or 2, got ${stemStride}`);
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new Error(`detection model: needs at least one class, got ${numClasses}`);
  const backbone = backbones.create(name, { inputShape: [imageSize, imageSize, 3], widthMultiplier, stemStride, taps });
  const inputs = pyramidInputs(backbone, options.strides);
  const pyramid = buildFpn({ features: inputs.features, strides: inputs.strides }, { channels: options.channels, extraLevels: inputs.extraLevels, extraSource: 'p5' });
  return { backbone, pyramid };
}

/**
 * Per-level head maps [B, h_i, w_i, columns] → output rows [B, L, columns] in LocationGrid order
 * (level by level, row-major within a level).
 */
export function levelRows(maps: tf.SymbolicTensor[], strides: number[], columns: number): tf.SymbolicTensor {
  const rows = maps.map((map, i) => {
    const [, h, w] = map.shape as number[];
    return applyLayer(tf.layers.reshape({ targetShape: [h * w, columns], name: `head_rows${Math.round(Math.log2(strides[i]))}` }), map);
  });
  return rows.length === 1 ? rows[0] : applyLayer(tf.layers.concatenate({ axis: 1, name: 'head_levels' }), rows);
}

/** The detector of `head` for `config.model` (backbone, image size) with `numClasses` classes, initialised from the run seed. */
export function buildDetector(head: DetectionHead, backbones: BackboneRegistry, config: RunConfig, numClasses: number, options: DetectionOptions): tf.LayersModel {
  return withSeededMathRandom(config.train.seed, () => {
    const { backbone, pyramid } = backbonePyramid(backbones, config, numClasses, options);
    const maps = head.buildHead({ features: pyramid.features, strides: pyramid.strides, numClasses, options });
    return tf.model({ inputs: backbone.inputs, outputs: levelRows(maps, pyramid.strides, numClasses + head.extraColumns), name: `${head.name}_${backbone.name}` });
  });
}
