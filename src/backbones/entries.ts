/**
 * The built-in backbone entry points; the composition root binds each one.
 *
 * Figures are for one 64x64x3 image with width multiplier 1 (multiply-accumulates of conv and
 * dense layers, as `modelComplexity` counts them; FLOPs ≈ 2 × MACs):
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
import { scaleWidth } from './backbone';
import { buildMobileNet, type MobileNetConfig } from './mobilenet';
import type { BackboneEntry } from './registry';
import { buildResNet, type ResNetConfig } from './resnet';

function resnetEntry(name: string, description: string, config: ResNetConfig): BackboneEntry {
  return {
    name,
    description,
    build: (input, m, stemStride, prefix) =>
      buildResNet(
        input,
        { stemWidth: scaleWidth(config.stemWidth, m), stemStride: stemStride ?? config.stemStride, widths: config.widths.map((w) => scaleWidth(w, m)), depths: config.depths },
        prefix,
      ),
  };
}

function mobilenetEntry(name: string, description: string, config: MobileNetConfig): BackboneEntry {
  return {
    name,
    description,
    build: (input, m, stemStride, prefix) =>
      buildMobileNet(
        input,
        { stemWidth: scaleWidth(config.stemWidth, m), stemStride: stemStride ?? config.stemStride, stages: config.stages.map((s) => ({ ...s, width: scaleWidth(s.width, m) })) },
        prefix,
      ),
  };
}

export const resnetTiny = resnetEntry('resnet-tiny', 'ResNet basic blocks, stages 24/48/96 x1: the fast default for small images', {
  stemWidth: 16,
  stemStride: 2,
  widths: [24, 48, 96],
  depths: [1, 1, 1],
});

export const resnetSmall = resnetEntry('resnet-small', 'ResNet basic blocks, stages 32/64/128/256 x1: four stages, strides to 32, for detection', {
  stemWidth: 32,
  stemStride: 2,
  widths: [32, 64, 128, 256],
  depths: [1, 1, 1, 1],
});

export const mobilenetTiny = mobilenetEntry('mobilenet-tiny', 'MobileNetV2 inverted residuals, stages 24/32/64, expansion 4', {
  stemWidth: 16,
  stemStride: 2,
  stages: [
    { width: 24, depth: 1, expansion: 4 },
    { width: 32, depth: 2, expansion: 4 },
    { width: 64, depth: 2, expansion: 4 },
  ],
});

export const mobilenetSmall = mobilenetEntry('mobilenet-small', 'MobileNetV2 inverted residuals, stages 24/32/64/96, expansion 6, strides to 32', {
  stemWidth: 16,
  stemStride: 2,
  stages: [
    { width: 24, depth: 2, expansion: 6 },
    { width: 32, depth: 3, expansion: 6 },
    { width: 64, depth: 3, expansion: 6 },
    { width: 96, depth: 2, expansion: 6 },
  ],
});
