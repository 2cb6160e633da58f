/**
 * Named backbone entry points, in the manner of timm's model registry. A plain map: nothing is
 * registered as an import side effect; the composition root (or a test) calls `createBackbone`.
 *
 * Defaults below; figures are for one 64x64x3 image with width multiplier 1 (multiply-accumulates
 * of conv and dense layers, as `modelComplexity` counts them; FLOPs ≈ 2 × MACs):
 *
 * | name            | stem        | stage widths (depths)              | strides       | params | MACs   |
 * |-----------------|-------------|------------------------------------|---------------|--------|--------|
 * | resnet-tiny     | 16, s2      | 24, 48, 96 (1, 1, 1)               | 4, 8, 16      | 173k   | 6.9M   |
 * | resnet-small    | 32, s2      | 32, 64, 128, 256 (1, 1, 1, 1)      | 4, 8, 16, 32  | 1.23M  | 16.9M  |
 * | mobilenet-tiny  | 16, s2      | 24, 32, 64 (1, 2, 2), expansion 4  | 4, 8, 16      | 74k    | 4.4M   |
 * | mobilenet-small | 16, s2      | 24, 32, 64, 96 (2, 3, 3, 2), exp 6 | 4, 8, 16, 32  | 380k   | 11.3M  |
 *
 * (params include batch-norm moving statistics; MACs scale with H·W, so 4x at 128x128.)
 */
import { tf } from '../core/tf';
import { Backbone, BackboneFeatures, scaleWidth } from './backbone';
import { buildMobileNet, MobileNetConfig } from './mobilenet';
import { buildResNet, ResNetConfig } from './resnet';

export interface BackboneOptions {
  /** Input image shape [H, W, C]; fixed, because the FPN needs static feature sizes. */
  inputShape: [number, number, number];
  /** Scales every channel count (rounded to a multiple of 8). Default 1. */
  widthMultiplier?: number;
  /** Overrides the entry's stem stride (1 keeps full resolution for very small images). */
  stemStride?: 1 | 2;
  /** Prefix for every layer name, to keep two backbones in one model apart. Default ''. */
  prefix?: string;
}

interface BackboneEntry {
  description: string;
  build(input: tf.SymbolicTensor, widthMultiplier: number, stemStride: 1 | 2 | undefined, prefix: string): BackboneFeatures;
}

function resnetEntry(description: string, config: ResNetConfig): BackboneEntry {
  return {
    description,
    build: (input, m, stemStride, prefix) =>
      buildResNet(
        input,
        {
          stemWidth: scaleWidth(config.stemWidth, m),
          stemStride: stemStride ?? config.stemStride,
          widths: config.widths.map((w) => scaleWidth(w, m)),
          depths: config.depths,
        },
        prefix,
      ),
  };
}

function mobilenetEntry(description: string, config: MobileNetConfig): BackboneEntry {
  return {
    description,
    build: (input, m, stemStride, prefix) =>
      buildMobileNet(
        input,
        {
          stemWidth: scaleWidth(config.stemWidth, m),
          stemStride: stemStride ?? config.stemStride,
          stages: config.stages.map((s) => ({ ...s, width: scaleWidth(s.width, m) })),
        },
        prefix,
      ),
  };
}

const BACKBONES: Readonly<Record<string, BackboneEntry>> = {
  'resnet-tiny': resnetEntry('ResNet basic blocks, stages 24/48/96 x1: the fast default for small images', {
    stemWidth: 16,
    stemStride: 2,
    widths: [24, 48, 96],
    depths: [1, 1, 1],
  }),
  'resnet-small': resnetEntry('ResNet basic blocks, stages 32/64/128/256 x1: four stages, strides to 32, for detection', {
    stemWidth: 32,
    stemStride: 2,
    widths: [32, 64, 128, 256],
    depths: [1, 1, 1, 1],
  }),
  'mobilenet-tiny': mobilenetEntry('MobileNetV2 inverted residuals, stages 24/32/64, expansion 4', {
    stemWidth: 16,
    stemStride: 2,
    stages: [
      { width: 24, depth: 1, expansion: 4 },
      { width: 32, depth: 2, expansion: 4 },
      { width: 64, depth: 2, expansion: 4 },
    ],
  }),
  'mobilenet-small': mobilenetEntry('MobileNetV2 inverted residuals, stages 24/32/64/96, expansion 6, strides to 32', {
    stemWidth: 16,
    stemStride: 2,
    stages: [
      { width: 24, depth: 2, expansion: 6 },
      { width: 32, depth: 3, expansion: 6 },
      { width: 64, depth: 3, expansion: 6 },
      { width: 96, depth: 2, expansion: 6 },
    ],
  }),
};

/** Registered backbone names with a one-line description each. */
export function listBackbones(): { name: string; description: string }[] {
  return Object.entries(BACKBONES).map(([name, entry]) => ({ name, description: entry.description }));
}

/**
 * Builds a named backbone on a new input. Returns its per-stage feature maps (shallow to deep)
 * with their strides and channels; see `Backbone`.
 * @throws Error on an unknown name (listing the known ones) or invalid options.
 */
export function createBackbone(name: string, options: BackboneOptions): Backbone {
  const entry = Object.prototype.hasOwnProperty.call(BACKBONES, name) ? BACKBONES[name] : undefined;
  if (!entry) throw new Error(`backbone: unknown name '${name}' (known: ${Object.keys(BACKBONES).join(', ')})`);
  const { inputShape, widthMultiplier = 1, stemStride, prefix = '' } = options;
  if (inputShape.length !== 3 || inputShape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new Error(`backbone '${name}': inputShape must be [H, W, C] of positive integers, got [${inputShape.join(', ')}]`);
  }
  if (!(widthMultiplier > 0) || !Number.isFinite(widthMultiplier)) {
    throw new Error(`backbone '${name}': widthMultiplier must be a positive number, got ${widthMultiplier}`);
  }
  if (stemStride !== undefined && stemStride !== 1 && stemStride !== 2) {
    throw new Error(`backbone '${name}': stemStride must be 1 or 2, got ${stemStride}`);
  }
  const inputs = tf.input({ shape: inputShape, name: `${prefix}image` });
  return { name, inputs, ...entry.build(inputs, widthMultiplier, stemStride, prefix) };
}
