/**
 * The YOLOX head (Ge et al. 2021) on the pyramid: a decoupled head per level (not shared across
 * levels, as YOLOX):
 *   stem:   conv1x1 → BN → SiLU
 *   cls:    towerConvs x (conv3x3 → BN → SiLU) → conv1x1 → C class logits
 *   reg:    towerConvs x (conv3x3 → BN → SiLU) → conv1x1 → 4 box values (dx, dy, log w, log h, stride units)
 *                                              → conv1x1 → 1 objectness logit
 * Per location the columns are C class logits, 4 box values, 1 objectness logit. SiLU is tfjs-layers' built-in `swish` activation, so a saved model loads
 * back with no custom layer.
 */
import { tf } from '../../../../core/tf';
import { applyLayer, convBn } from '../../../../backbones/backbone';
import type { HeadModelInput } from '../../head';
import type { YoloxOptions } from './index';

/** Columns per output row besides the class logits: 4 box values + 1 objectness logit. */
export const BOX_COLUMNS = 4;
export const YOLOX_EXTRA_COLUMNS = BOX_COLUMNS + 1;

/** PyTorch's default conv init (kaiming_uniform, a = sqrt(5): U(±1/sqrt(fan_in))), which YOLOX keeps for its prediction convs. */
const torchDefaultInit = () => tf.initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform' });

/** conv → BN → SiLU, 'same' padding: x [B, h, w, *] → [B, h, w, filters]. */
function convBnSilu(x: tf.SymbolicTensor, filters: number, kernelSize: number, name: string): tf.SymbolicTensor {
  const normed = convBn(x, { filters, kernelSize, strides: 1, activation: 'linear', name });
  return applyLayer(tf.layers.activation({ activation: 'swish', name: `${name}_silu` }), normed);
}

/** The 1x1 prediction conv with bias `bias`: x [B, h, w, *] → [B, h, w, filters]. */
function predictionConv(x: tf.SymbolicTensor, filters: number, bias: number, name: string): tf.SymbolicTensor {
  const conv = tf.layers.conv2d({ filters, kernelSize: 1, padding: 'same', kernelInitializer: torchDefaultInit(), biasInitializer: tf.initializers.constant({ value: bias }), name });
  return applyLayer(conv, x);
}

/**
 * The YOLOX head's per-level maps [B, h_i, w_i, C + 5]. Uses options.channels (head width),
 * towerConvs (convs per branch; YOLOX: 2) and priorProbability (class and objectness biases start
 * at log(p / (1 - p)), as YOLOX's 0.01).
 */
export function buildYoloxHead({ features, strides, numClasses, options: shared }: HeadModelInput): tf.SymbolicTensor[] {
  const options = shared as YoloxOptions;
  const prior = options.priorProbability;
  const priorBias = -Math.log((1 - prior) / prior);
  const branch = (x: tf.SymbolicTensor, name: string) => {
    let out = x;
    for (let i = 0; i < options.towerConvs; i++) out = convBnSilu(out, options.channels, 3, `${name}${i}`);
    return out;
  };
  return features.map((feature, i) => {
    const level = Math.round(Math.log2(strides[i]));
    const stem = convBnSilu(feature, options.channels, 1, `yolox_stem${level}`);
    const cls = branch(stem, `yolox_cls${level}_`);
    const reg = branch(stem, `yolox_reg${level}_`);
    const outputs = [
      predictionConv(cls, numClasses, priorBias, `yolox_cls${level}_logits`),
      predictionConv(reg, BOX_COLUMNS, 0, `yolox_box${level}`),
      predictionConv(reg, YOLOX_EXTRA_COLUMNS - BOX_COLUMNS, priorBias, `yolox_obj${level}`),
    ];
    return applyLayer(tf.layers.concatenate({ axis: -1, name: `yolox_out${level}` }), outputs);
  });
}
