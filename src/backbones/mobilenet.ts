/**
 * A MobileNetV2-style body (Sandler et al. 2018): a conv-BN-ReLU6 stem, then stages of inverted
 * residual blocks (1x1 expansion → depthwise 3x3 → linear 1x1 projection). Every stage starts with
 * a stride-2 block; later blocks of a stage keep the shape and add the identity shortcut.
 *
 * x [N, H, W, C] → stem [N, H/s, W/s, stemWidth] (s = stemStride)
 *   → stage i: [N, H/(s·2^(i+1)), W/(s·2^(i+1)), stages[i].width] — one feature map per stage.
 */
import { tf } from '../core/tf';
import { applyLayer, BackboneFeatures, convBn } from './backbone';

export interface MobileNetStage {
  /** Output channels of the stage. */
  width: number;
  /** Inverted residual blocks in the stage. */
  depth: number;
  /** Hidden width of a block = expansion × its input width (MobileNetV2 uses 6). */
  expansion: number;
}

export interface MobileNetConfig {
  stemWidth: number;
  stemStride: 1 | 2;
  stages: MobileNetStage[];
}

/**
 * Inverted residual block. The expansion conv is skipped when expansion is 1; the projection is
 * linear (no ReLU6) so the narrow output keeps its information.
 * x [N, H, W, Cin] → [N, ceil(H / strides), ceil(W / strides), filters].
 */
export function invertedResidual(
  x: tf.SymbolicTensor,
  filters: number,
  strides: number,
  expansion: number,
  name: string,
): tf.SymbolicTensor {
  const inChannels = x.shape[x.shape.length - 1] as number;
  const hidden = Math.round(inChannels * expansion);
  const expanded =
    expansion === 1 ? x : convBn(x, { filters: hidden, kernelSize: 1, strides: 1, activation: 'relu6', name: `${name}_expand` });
  const filtered = convBn(expanded, { filters: hidden, kernelSize: 3, strides, activation: 'relu6', depthwise: true, name: `${name}_dw` });
  const projected = convBn(filtered, { filters, kernelSize: 1, strides: 1, activation: 'linear', name: `${name}_project` });
  if (strides !== 1 || inChannels !== filters) return projected;
  return applyLayer(tf.layers.add({ name: `${name}_add` }), [projected, x]);
}

/** Builds the MobileNet body on `input`; layer names start with `prefix`. */
export function buildMobileNet(input: tf.SymbolicTensor, config: MobileNetConfig, prefix: string): BackboneFeatures {
  const { stemWidth, stemStride, stages } = config;
  if (stages.length === 0) throw new Error('mobilenet: at least one stage is needed');
  for (const s of stages) {
    if (!Number.isInteger(s.depth) || s.depth < 1 || !(s.expansion >= 1)) {
      throw new Error(`mobilenet: stage ${JSON.stringify(s)} needs an integer depth >= 1 and expansion >= 1`);
    }
  }
  let x = convBn(input, { filters: stemWidth, kernelSize: 3, strides: stemStride, activation: 'relu6', name: `${prefix}stem` });
  let stride = stemStride;
  const features: tf.SymbolicTensor[] = [];
  const strides: number[] = [];
  stages.forEach(({ width, depth, expansion }, stage) => {
    for (let block = 0; block < depth; block++) {
      x = invertedResidual(x, width, block === 0 ? 2 : 1, expansion, `${prefix}stage${stage + 1}_block${block + 1}`);
    }
    stride *= 2;
    features.push(x);
    strides.push(stride);
  });
  return { features, strides, channels: stages.map((s) => s.width) };
}
