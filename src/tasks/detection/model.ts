/**
 * The FCOS detector as one tfjs-layers model: backbone → FPN (P3–P5 by default; levels past the
 * backbone's deepest stride are FPN extra levels) → a head shared across levels:
 *   classification tower: towerConvs x (conv3x3 → GroupNorm → ReLU) → conv3x3 → C logits
 *   regression tower:     towerConvs x (conv3x3 → GroupNorm → ReLU) → conv3x3 → 4 → LevelScale
 *                         (log-distances in strides), and conv3x3 → 1 centerness logit
 * image [B, H, W, 3] → [B, L, C + 5], L = Σ_levels h·w in LocationGrid order; per location the
 * columns are C class logits, 4 log-ltrb (stride units), 1 centerness logit.
 */
import { tf } from '../../core/tf';
import type { RunConfig } from '../../core/run-config';
import type { BackboneRegistry } from '../../backbones/registry';
import { buildFpn, type FeaturePyramid } from '../../backbones/fpn';
import { applyLayer, type Backbone } from '../../backbones/backbone';
import { GroupNormalization } from '../../backbones/group-norm';
import { withSeededMathRandom } from '../../core/engine/seeded-math-random';
import type { DetectionOptions } from './options';
import { LevelScale } from './level-scale';

/** Columns per output row besides the class logits: 4 box + 1 centerness. */
export const BOX_COLUMNS = 4;
export const EXTRA_COLUMNS = BOX_COLUMNS + 1;

// FCOS initialises the head convs from N(0, 0.01) with zero biases.
const headInit = () => tf.initializers.randomNormal({ mean: 0, stddev: 0.01 });

function headConv(filters: number, name: string, biasInitializer: ReturnType<typeof tf.initializers.zeros> = tf.initializers.zeros()): tf.layers.Layer {
  return tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', kernelInitializer: headInit(), biasInitializer, name });
}

/** A tower's layers, created once and applied to every level (shared weights). */
function towerLayers(prefix: string, options: DetectionOptions): tf.layers.Layer[] {
  const layers: tf.layers.Layer[] = [];
  for (let i = 0; i < options.towerConvs; i++) {
    layers.push(
      headConv(options.channels, `${prefix}${i}_conv`),
      new GroupNormalization({ groups: options.groupNormGroups, name: `${prefix}${i}_gn` }),
      tf.layers.reLU({ name: `${prefix}${i}_relu` }),
    );
  }
  return layers;
}

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
 * with `options.channels` channels. Call inside the head builder's seeded scope.
 */
export function backbonePyramid(config: RunConfig, numClasses: number, options: Pick<DetectionOptions, 'strides' | 'channels'>, backbones: BackboneRegistry): { backbone: Backbone; pyramid: FeaturePyramid } {
  const { backbone: name, imageSize, widthMultiplier, stemStride } = config.model;
  if (stemStride !== 1 && stemStride !== 2) throw new Error(`model.stemStride must be 1 or 2, got ${stemStride}`);
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new Error(`detection model: needs at least one class, got ${numClasses}`);
  const backbone = backbones.create(name, { inputShape: [imageSize, imageSize, 3], widthMultiplier, stemStride });
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

/** The detector for `config.model` (backbone, image size) with `numClasses` classes, initialised from the run seed. */
export function buildDetectionModel(config: RunConfig, numClasses: number, options: DetectionOptions, backbones: BackboneRegistry): tf.LayersModel {
  return withSeededMathRandom(config.train.seed, () => {
    const { backbone, pyramid } = backbonePyramid(config, numClasses, options, backbones);
    const clsTower = towerLayers('head_cls', options);
    const regTower = towerLayers('head_reg', options);
    const prior = options.priorProbability;
    const clsLogits = headConv(numClasses, 'head_cls_logits', tf.initializers.constant({ value: -Math.log((1 - prior) / prior) }));
    const boxRegression = headConv(BOX_COLUMNS, 'head_box');
    const centernessLogit = headConv(1, 'head_centerness');
    const columns = numClasses + EXTRA_COLUMNS;

    const maps = pyramid.features.map((feature, i) => {
      const level = Math.round(Math.log2(pyramid.strides[i]));
      const cls = clsTower.reduce((x, layer) => applyLayer(layer, x), feature);
      const reg = regTower.reduce((x, layer) => applyLayer(layer, x), feature);
      const box = applyLayer(new LevelScale({ name: `head_scale${level}` }), applyLayer(boxRegression, reg));
      return applyLayer(tf.layers.concatenate({ axis: -1, name: `head_out${level}` }), [applyLayer(clsLogits, cls), box, applyLayer(centernessLogit, reg)]);
    });
    return tf.model({ inputs: backbone.inputs, outputs: levelRows(maps, pyramid.strides, columns), name: `fcos_${backbone.name}` });
  });
}
