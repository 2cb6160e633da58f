/**
 * The contract every backbone fulfils, and the conv → batch-norm → activation unit they are built
 * from. Backbones are tfjs-layers graphs on symbolic tensors (channels-last, NHWC), so whatever
 * model is built on top saves as a TF.js layers model.
 *
 * Batch norm layers normalise with batch statistics only when called with `{ training: true }`
 * (e.g. `model.apply(x, { training: true })` in a training step); `predict` uses moving averages.
 */
import { tf } from '../core/tf';
import { BatchNormalization } from './batch-norm';

/** Feature maps of a backbone, shallow to deep. */
export interface Backbone {
  /** Registry name, e.g. `resnet-tiny`. */
  name: string;
  /** Image input [N, H, W, C]. */
  inputs: tf.SymbolicTensor;
  /** One map per stage: features[i] is [N, ceil(H / strides[i]), ceil(W / strides[i]), channels[i]]. */
  features: tf.SymbolicTensor[];
  /** Total down-sampling of each feature map relative to the input, increasing (e.g. 4, 8, 16). */
  strides: number[];
  /** Channel count of each feature map. */
  channels: number[];
}

/** Stage outputs of a backbone body, before it is wrapped with its name and input. */
export type BackboneFeatures = Omit<Backbone, 'name' | 'inputs'>;

/**
 * Width after a width multiplier, rounded to the nearest multiple of `divisor` (at least `divisor`)
 * and never more than 10% below the exact product: the rounding MobileNet and timm use, which keeps
 * channel counts friendly to SIMD kernels and group norm.
 */
export function scaleWidth(width: number, multiplier: number, divisor = 8): number {
  const exact = width * multiplier;
  const rounded = Math.max(divisor, Math.round(exact / divisor) * divisor);
  return rounded < 0.9 * exact ? rounded + divisor : rounded;
}

export type Activation = 'relu' | 'relu6' | 'linear';

export interface ConvBnArgs {
  /** Output channels (ignored for depthwise convolutions, which keep the channel count). */
  filters: number;
  kernelSize: number;
  strides: number;
  activation: Activation;
  /** Layer-name stem; the layers are `<name>_conv`, `<name>_bn` and `<name>_<activation>`. */
  name: string;
  /** Depthwise (per-channel) convolution instead of a full one. */
  depthwise?: boolean;
}

/**
 * conv (no bias: batch norm supplies the offset) → batch norm → activation, `same` padding.
 * x [N, H, W, Cin] → [N, ceil(H / strides), ceil(W / strides), filters (or Cin if depthwise)].
 */
export function convBn(x: tf.SymbolicTensor, args: ConvBnArgs): tf.SymbolicTensor {
  const common = { kernelSize: args.kernelSize, strides: args.strides, padding: 'same' as const, useBias: false };
  const conv = args.depthwise
    ? tf.layers.depthwiseConv2d({ ...common, depthwiseInitializer: 'heNormal', name: `${args.name}_dwconv` })
    : tf.layers.conv2d({ ...common, filters: args.filters, kernelInitializer: 'heNormal', name: `${args.name}_conv` });
  const normed = applyLayer(new BatchNormalization({ momentum: 0.9, epsilon: 1e-5, name: `${args.name}_bn` }), applyLayer(conv, x));
  return activate(normed, args.activation, args.name);
}

/** Applies an activation layer; `linear` returns x unchanged (no layer). */
export function activate(x: tf.SymbolicTensor, activation: Activation, name: string): tf.SymbolicTensor {
  if (activation === 'linear') return x;
  const layer = activation === 'relu6' ? tf.layers.reLU({ maxValue: 6, name: `${name}_relu6` }) : tf.layers.reLU({ name: `${name}_relu` });
  return applyLayer(layer, x);
}

/** `layer.apply` on one symbolic tensor, typed as such (tfjs-layers returns a union). */
export function applyLayer(layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]): tf.SymbolicTensor {
  return layer.apply(x) as tf.SymbolicTensor;
}

/** Spatial size [H, W] of a symbolic NHWC tensor; throws if unknown (backbones need a fixed input size). */
export function spatialSize(x: tf.SymbolicTensor): [number, number] {
  const [, h, w] = x.shape;
  if (h == null || w == null) throw new Error(`backbones: tensor '${x.name}' has unknown spatial size [${x.shape.join(', ')}]`);
  return [h, w];
}
