/**
 * The YOLOX detector (Ge et al. 2021) as one tfjs-layers model: the shared backbone → FPN, then a
 * decoupled head per pyramid level (not shared across levels, as YOLOX):
 *   stem:   conv1x1 → BN → SiLU
 *   cls:    towerConvs x (conv3x3 → BN → SiLU) → conv1x1 → C class logits
 *   reg:    towerConvs x (conv3x3 → BN → SiLU) → conv1x1 → 4 box values (dx, dy, log w, log h, stride units)
 *                                              → conv1x1 → 1 objectness logit
 * image [B, H, W, 3] → [B, L, C + 5], L = Σ_levels h·w in LocationGrid order; per location the
 * columns are C class logits, 4 box values, 1 objectness logit (FCOS's layout, objectness in the
 * centerness column). SiLU is tfjs-layers' built-in `swish` activation, so a saved model loads
 * back with no custom layer.
 */
import { tf } from '../../../core/tf';
import type { RunConfig } from '../../../core/run-config';
import { applyLayer, convBn } from '../../../backbones/backbone';
import { withSeededMathRandom } from '../../../core/engine/seeded-math-random';
import type { DetectionOptions } from '../options';
import type { BackboneRegistry } from '../../../backbones/registry';
import { backbonePyramid, BOX_COLUMNS, EXTRA_COLUMNS, levelRows } from '../model';

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
 * The YOLOX detector for `config.model` with `numClasses` classes, initialised from the run seed.
 * Uses options.strides, channels (FPN and head width), towerConvs (convs per branch; YOLOX: 2) and
 * priorProbability (class and objectness biases start at log(p / (1 - p)), as YOLOX's 0.01).
 */
export function buildYoloxModel(config: RunConfig, numClasses: number, options: DetectionOptions, backbones: BackboneRegistry): tf.LayersModel {
  return withSeededMathRandom(config.train.seed, () => {
    const { backbone, pyramid } = backbonePyramid(config, numClasses, options, backbones);
    const prior = options.priorProbability;
    const priorBias = -Math.log((1 - prior) / prior);
    const branch = (x: tf.SymbolicTensor, name: string) => {
      let out = x;
      for (let i = 0; i < options.towerConvs; i++) out = convBnSilu(out, options.channels, 3, `${name}${i}`);
      return out;
    };
    const maps = pyramid.features.map((feature, i) => {
      const level = Math.round(Math.log2(pyramid.strides[i]));
      const stem = convBnSilu(feature, options.channels, 1, `yolox_stem${level}`);
      const cls = branch(stem, `yolox_cls${level}_`);
      const reg = branch(stem, `yolox_reg${level}_`);
      const outputs = [
        predictionConv(cls, numClasses, priorBias, `yolox_cls${level}_logits`),
        predictionConv(reg, BOX_COLUMNS, 0, `yolox_box${level}`),
        predictionConv(reg, EXTRA_COLUMNS - BOX_COLUMNS, priorBias, `yolox_obj${level}`),
      ];
      return applyLayer(tf.layers.concatenate({ axis: -1, name: `yolox_out${level}` }), outputs);
    });
    return tf.model({ inputs: backbone.inputs, outputs: levelRows(maps, pyramid.strides, numClasses + EXTRA_COLUMNS), name: `yolox_${backbone.name}` });
  });
}
