/**
 * The FCOS head on the pyramid, shared across levels:
 *   classification tower: towerConvs x (conv3x3 → GroupNorm → ReLU) → conv3x3 → C logits
 *   regression tower:     towerConvs x (conv3x3 → GroupNorm → ReLU) → conv3x3 → 4 → LevelScale
 *                         (log-distances in strides), and conv3x3 → 1 centerness logit
 * Per location the columns are C class logits, 4 log-ltrb (stride units), 1 centerness logit.
 */
import { tf } from '../../../../core/tf';
import { applyLayer } from '../../../../backbones/backbone';
import { GroupNormalization } from '../../../../backbones/group-norm';
import type { HeadModelInput } from '../../head';
import { LevelScale } from '../../level-scale';
import type { FcosOptions } from './options';

/** Columns per output row besides the class logits: 4 box + 1 centerness. */
export const BOX_COLUMNS = 4;
export const FCOS_EXTRA_COLUMNS = BOX_COLUMNS + 1;

// FCOS initialises the head convs from N(0, 0.01) with zero biases.
const headInit = () => tf.initializers.randomNormal({ mean: 0, stddev: 0.01 });

function headConv(filters: number, name: string, biasInitializer: ReturnType<typeof tf.initializers.zeros> = tf.initializers.zeros()): tf.layers.Layer {
  return tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', kernelInitializer: headInit(), biasInitializer, name });
}

/** A tower's layers, created once and applied to every level (shared weights). */
function towerLayers(prefix: string, options: FcosOptions): tf.layers.Layer[] {
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

/** The FCOS head's per-level maps [B, h_i, w_i, C + 5]. */
export function buildFcosHead({ features, strides, numClasses, options: shared }: HeadModelInput): tf.SymbolicTensor[] {
  const options = shared as FcosOptions;
  const clsTower = towerLayers('head_cls', options);
  const regTower = towerLayers('head_reg', options);
  const prior = options.priorProbability;
  const clsLogits = headConv(numClasses, 'head_cls_logits', tf.initializers.constant({ value: -Math.log((1 - prior) / prior) }));
  const boxRegression = headConv(BOX_COLUMNS, 'head_box');
  const centernessLogit = headConv(1, 'head_centerness');
  return features.map((feature, i) => {
    const level = Math.round(Math.log2(strides[i]));
    const cls = clsTower.reduce((x, layer) => applyLayer(layer, x), feature);
    const reg = regTower.reduce((x, layer) => applyLayer(layer, x), feature);
    const box = applyLayer(new LevelScale({ name: `head_scale${level}` }), applyLayer(boxRegression, reg));
    return applyLayer(tf.layers.concatenate({ axis: -1, name: `head_out${level}` }), [applyLayer(clsLogits, cls), box, applyLayer(centernessLogit, reg)]);
  });
}
