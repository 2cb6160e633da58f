/**
 * The public API of asl-run. `tf` is the very TensorFlow.js instance the package trains with.
 *
 *   import { tf, initBackend, createLoss } from 'asl-run';
 *   await initBackend('wasm');
 *   const loss = createLoss('asl', { gammaNeg: 4, gammaPos: 0, clip: 0.05 });
 *   const value = loss.compute(logits, targets); // tf.Scalar
 *
 *   import { multilabelMAP, cocoEvaluate } from 'asl-run';
 *   multilabelMAP(scores, targets).mAP;         // as the ASL reference
 *   cocoEvaluate(gt, detections).stats;         // as pycocotools' COCOeval
 */
import type { Container } from 'inversify';
import { createContainer, TOKENS } from './core/container';
import { LossRegistry } from './core/registry/loss-registry';
import type { RegisterOptions } from './core/registry/registry';
import { checkLossPlugin, probeLossValues } from './losses/loss-contract';
import type { LoadedPlugin, PluginLoader } from './core/registry/plugin-loader';
import type { Loss, LossKind, LossParams, LossPlugin } from './losses/loss-plugin';

export { tf } from './core/tf';
export { initBackend, activeBackend, BACKEND_NAMES } from './core/backend/init';
export type { BackendName, BackendInfo } from './core/backend/init';
export type { Loss, LossKind, LossParams, LossPlugin, LossComputeOptions, Reduction } from './losses/loss-plugin';
export { createContainer, TOKENS } from './core/container';
export { LossRegistry } from './core/registry/loss-registry';
export { Registry } from './core/registry/registry';
export type { Named, RegisterOptions, RegistryEntry } from './core/registry/registry';
export type { LoadedPlugin, PluginKind, RegistryView } from './core/registry/plugin-loader';
export { BackboneRegistry } from './backbones/registry';
export type { BackboneEntry, BackboneOptions } from './backbones/registry';
export type { Backbone, BackboneFeatures } from './backbones/backbone';
export { buildFpn } from './backbones/fpn';
/** For detection-head plugins: the head's types, option helpers and the built-in heads' building blocks. */
export * as detection from './tasks/detection/head';
export type { FeaturePyramid, FpnOptions } from './backbones/fpn';
export { convBn, applyLayer, scaleWidth } from './backbones/backbone';
export type { TaskDefinition, TaskTraits } from './core/registry/task-registry';
export type { OptimizerEntry, TrainingOptimizer } from './core/engine/optimizers';
export type { ScheduleEntry, Schedule } from './core/engine/schedules';

// Metrics on your own predictions: each matches its reference implementation (see the README's API section).
export { multilabelMAP } from './core/metrics/multilabel-map';
export type { MultilabelMAP } from './core/metrics/multilabel-map';
export { multilabelMetrics } from './core/metrics/multilabel-metrics';
export type { MultilabelMetrics, MultilabelMetricsOptions } from './core/metrics/multilabel-metrics';
export { classificationMetrics, topKAccuracy } from './core/metrics/classification-metrics';
export type { ClassificationMetrics } from './core/metrics/classification-metrics';
export { cocoEvaluate } from './core/metrics/coco-eval';
export { COCO_STAT_NAMES, namedCocoStats } from './core/metrics/coco-types';
export type {
  CocoAnnotation,
  CocoBox,
  CocoCategory,
  CocoDataset,
  CocoDetection,
  CocoEvalOptions,
  CocoEvalResult,
  CocoImage,
  CocoStatName,
} from './core/metrics/coco-types';
export type { FlatMatrix, MatrixInput } from './core/metrics/score-matrix';

let defaultContainer: Container | undefined;

/** The process-wide container behind createLoss/registerLoss/listLosses. */
export function container(): Container {
  return (defaultContainer ??= createContainer());
}

function registry(): LossRegistry {
  return container().get<LossRegistry>(TOKENS.LossRegistry);
}

/** Builds a registered loss; unknown names and bad parameters throw a one-line Error. */
export function createLoss(name: string, params: Partial<LossParams> = {}): Loss {
  return registry().create(name, params);
}

/** Registers a loss plugin after checking it against the contract (and probing it on a small batch). */
export async function registerLoss(plugin: LossPlugin, options: RegisterOptions = {}): Promise<void> {
  const source = options.source ?? plugin.name;
  await probeLossValues(checkLossPlugin(plugin, source), source);
  registry().register(plugin, options);
}

/**
 * Loads a `--plugin` file (losses, backbones, detection heads, … it registers) into `target`
 * (default: the process-wide container of createLoss/listLosses), checking every component.
 */
export function loadPluginFile(file: string, target: Container = container()): Promise<LoadedPlugin> {
  return target.get<PluginLoader>(TOKENS.PluginLoader).load(file);
}

export interface LossInfo {
  name: string;
  kind: LossKind;
  defaults: Readonly<LossParams>;
  source: string;
  description?: string;
}

export function listLosses(): LossInfo[] {
  return registry()
    .list()
    .map(({ component: plugin, source }) => ({ name: plugin.name, kind: plugin.kind, defaults: plugin.defaults, source, description: plugin.description }));
}
