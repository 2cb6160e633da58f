/** Backbones (feature extractors), the FPN neck, the classifier head and the normalisation layers, as tfjs-layers graphs (NHWC). */
export { scaleWidth } from './backbone';
export type { Backbone } from './backbone';
export { buildClassifier } from './classifier';
export type { ClassifierOptions } from './classifier';
export { modelComplexity } from './complexity';
export type { ModelComplexity } from './complexity';
export { buildFpn } from './fpn';
export type { FeaturePyramid, FpnOptions } from './fpn';
export { GroupNormalization } from './group-norm';
export { BatchNormalization } from './batch-norm';
export { registerCustomLayers } from './custom-layers';
export type { GroupNormalizationArgs } from './group-norm';
export { buildMobileNet } from './mobilenet';
export type { MobileNetConfig, MobileNetStage } from './mobilenet';
export { createBackbone, listBackbones } from './registry';
export type { BackboneOptions } from './registry';
export { buildResNet } from './resnet';
export type { ResNetConfig } from './resnet';
