/**
 * Feature Pyramid Network neck (Lin et al. 2017) on symbolic tensors, as torchvision's
 * FeaturePyramidNetwork + LastLevelP6P7 do it: a 1x1 lateral conv brings each input map to
 * `channels`; from the deepest level down, the coarser result is upsampled (nearest) and added;
 * a 3x3 conv smooths each sum. Optional extra levels P6 (3x3 stride-2 conv on P5 or C5) and P7
 * (ReLU, then 3x3 stride-2 conv on P6) serve FCOS/RetinaNet-style heads.
 *
 * inputs C_i [N, H_i, W_i, K_i] with strides s_i (each twice the previous)
 *   → P_i [N, H_i, W_i, channels] with the same strides, then P6, P7 at 2·s_last, 4·s_last.
 */
import { tf } from '../core/tf';
import { applyLayer, spatialSize } from './backbone';

export interface FpnOptions {
  /** Channels of every pyramid level. Default 64. */
  channels?: number;
  /** Extra coarser levels after the last input: 0, 1 (P6) or 2 (P6, P7). Default 0. */
  extraLevels?: 0 | 1 | 2;
  /** What P6 is computed from: the last pyramid output (`p5`, FCOS) or the last input map (`c5`, RetinaNet). Default `p5`. */
  extraSource?: 'p5' | 'c5';
  /** Prefix for every layer name. Default 'fpn_'. */
  prefix?: string;
}

export interface FeaturePyramid {
  /** Pyramid levels, fine to coarse, each [N, h, w, channels]. */
  features: tf.SymbolicTensor[];
  /** Stride of each level relative to the image. */
  strides: number[];
  channels: number;
}

function conv(filters: number, kernelSize: number, strides: number, name: string): tf.layers.Layer {
  // LeCun-uniform weights = torchvision FPN's kaiming_uniform_(a=1); zero biases.
  return tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same', kernelInitializer: 'leCunUniform', name });
}

/**
 * Upsamples `coarse` by `factor` (nearest) and crops it to `fine`'s size: with `same` padding an
 * odd-sized map halves to ceil(H / 2), so doubling can overshoot by one row or column.
 */
function upsampleTo(coarse: tf.SymbolicTensor, fine: tf.SymbolicTensor, factor: number, name: string): tf.SymbolicTensor {
  const up = applyLayer(tf.layers.upSampling2d({ size: [factor, factor], interpolation: 'nearest', name: `${name}_up` }), coarse);
  const [uh, uw] = spatialSize(up);
  const [fh, fw] = spatialSize(fine);
  if (uh === fh && uw === fw) return up;
  return applyLayer(tf.layers.cropping2D({ cropping: [[0, uh - fh], [0, uw - fw]], name: `${name}_crop` }), up);
}

/**
 * Builds the pyramid on the given feature maps (e.g. a backbone's last three, C3–C5).
 * @throws Error when the inputs are empty, their strides do not grow by whole factors, or options are invalid.
 */
export function buildFpn(inputs: { features: tf.SymbolicTensor[]; strides: number[] }, options: FpnOptions = {}): FeaturePyramid {
  const { channels = 64, extraLevels = 0, extraSource = 'p5', prefix = 'fpn_' } = options;
  const { features, strides } = inputs;
  if (features.length === 0 || features.length !== strides.length) {
    throw new Error(`fpn: needs one stride per feature map and at least one map, got ${features.length} maps and ${strides.length} strides`);
  }
  const factors = strides.slice(1).map((s, i) => s / strides[i]);
  if (factors.some((f) => !Number.isInteger(f) || f < 2)) throw new Error(`fpn: strides must grow by integer factors >= 2, got [${strides}]`);
  if (!Number.isInteger(channels) || channels < 1) throw new Error(`fpn: channels must be a positive integer, got ${channels}`);
  if (![0, 1, 2].includes(extraLevels)) throw new Error(`fpn: extraLevels must be 0, 1 or 2, got ${extraLevels}`);

  const level = (i: number) => Math.round(Math.log2(strides[i]));
  const laterals = features.map((c, i) => applyLayer(conv(channels, 1, 1, `${prefix}lateral${level(i)}`), c));
  const merged = [...laterals];
  for (let i = features.length - 2; i >= 0; i--) {
    const top = upsampleTo(merged[i + 1], laterals[i], factors[i], `${prefix}topdown${level(i)}`);
    merged[i] = applyLayer(tf.layers.add({ name: `${prefix}merge${level(i)}` }), [laterals[i], top]);
  }
  const outputs = merged.map((m, i) => applyLayer(conv(channels, 3, 1, `${prefix}output${level(i)}`), m));
  const outStrides = [...strides];

  let previous = extraSource === 'p5' ? outputs[outputs.length - 1] : features[features.length - 1];
  for (let e = 0; e < extraLevels; e++) {
    const stride = outStrides[outStrides.length - 1] * 2;
    const name = `${prefix}extra${Math.round(Math.log2(stride))}`;
    // RetinaNet/FCOS put a ReLU between P6 and P7 but not before P6.
    const source = e === 0 ? previous : applyLayer(tf.layers.reLU({ name: `${name}_relu` }), previous);
    previous = applyLayer(conv(channels, 3, 2, name), source);
    outputs.push(previous);
    outStrides.push(stride);
  }
  return { features: outputs, strides: outStrides, channels };
}
