/**
 * A small ResNet (He et al. 2016) body: a conv-BN-ReLU stem, then stages of basic residual blocks.
 * Every stage starts with a stride-2 block (so, unlike torchvision's ResNet, there is no max-pool
 * after the stem) whose shortcut is a 1x1 conv + BN projection whenever the shape changes.
 *
 * x [N, H, W, C] → stem [N, H/s, W/s, stemWidth] (s = stemStride)
 *   → stage i: [N, H/(s·2^(i+1)), W/(s·2^(i+1)), widths[i]] — one feature map per stage.
 */
import { tf } from '../core/tf';
import { activate, applyLayer, BackboneFeatures, convBn } from './backbone';

export interface ResNetConfig {
  /** Channels of the 3x3 stem conv. */
  stemWidth: number;
  /** Stride of the stem conv: 2 for ordinary images, 1 keeps full resolution for tiny ones. */
  stemStride: 1 | 2;
  /** Output channels of each stage. */
  widths: number[];
  /** Basic blocks in each stage (same length as widths). */
  depths: number[];
}

/**
 * Basic block: 3x3 conv-BN-ReLU → 3x3 conv-BN, added to the shortcut, then ReLU.
 * x [N, H, W, Cin] → [N, ceil(H / strides), ceil(W / strides), filters].
 */
export function basicBlock(x: tf.SymbolicTensor, filters: number, strides: number, name: string): tf.SymbolicTensor {
  const inChannels = x.shape[x.shape.length - 1];
  const branch = convBn(convBn(x, { filters, kernelSize: 3, strides, activation: 'relu', name: `${name}_1` }), {
    filters,
    kernelSize: 3,
    strides: 1,
    activation: 'linear',
    name: `${name}_2`,
  });
  const shortcut =
    strides === 1 && inChannels === filters
      ? x
      : convBn(x, { filters, kernelSize: 1, strides, activation: 'linear', name: `${name}_proj` });
  return activate(applyLayer(tf.layers.add({ name: `${name}_add` }), [branch, shortcut]), 'relu', `${name}_out`);
}

/** Builds the ResNet body on `input`; layer names start with `prefix`. */
export function buildResNet(input: tf.SymbolicTensor, config: ResNetConfig, prefix: string): BackboneFeatures {
  const { stemWidth, stemStride, widths, depths } = config;
  if (widths.length === 0 || widths.length !== depths.length) {
    throw new Error(`resnet: widths (${widths.length}) and depths (${depths.length}) must be non-empty and of equal length`);
  }
  if (depths.some((d) => !Number.isInteger(d) || d < 1)) throw new Error(`resnet: every depth must be an integer >= 1, got [${depths}]`);
  let x = convBn(input, { filters: stemWidth, kernelSize: 3, strides: stemStride, activation: 'relu', name: `${prefix}stem` });
  let stride = stemStride;
  const features: tf.SymbolicTensor[] = [];
  const strides: number[] = [];
  widths.forEach((width, stage) => {
    for (let block = 0; block < depths[stage]; block++) {
      x = basicBlock(x, width, block === 0 ? 2 : 1, `${prefix}stage${stage + 1}_block${block + 1}`);
    }
    stride *= 2;
    features.push(x);
    strides.push(stride);
  });
  return { features, strides, channels: [...widths] };
}
