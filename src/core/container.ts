/**
 * The composition root: the one place where built-in components are registered and bound.
 * Nothing registers itself on import; the CLI and the public API both build their container here.
 */
import 'reflect-metadata';
import { Container } from 'inversify';
import { LossRegistry } from './registry/loss-registry';
import { TaskDefinition, TaskRegistry } from './registry/task-registry';
import { multilabelTask } from '../tasks/multilabel';
import { singlelabelTask } from '../tasks/singlelabel';
import { createDetectionTask, registerDetectionLayers } from '../tasks/detection';
import { Registry } from './registry/registry';
import type { DetectionHead } from '../tasks/detection/head';
import { fcosHead } from '../tasks/detection/fcos';
import { createYoloxHead } from '../tasks/detection/yolox';
import { centerPriorAssigner, type AssignerEntry } from '../tasks/detection/yolox/assigner';
import { simOtaAssigner } from '../tasks/detection/yolox/simota';
import { createBackbone } from '../backbones/registry';
import { registerCustomLayers } from '../backbones/custom-layers';
import type { LossPlugin } from '../losses/loss-plugin';
import { aslOptimizedPlugin, aslPlugin } from '../losses/asymmetric';
import { aslSingleLabelPlugin } from '../losses/asl-single-label';
import { bcePlugin } from '../losses/bce';
import { focalPlugin, softmaxFocalPlugin } from '../losses/focal';
import { crossEntropyPlugin } from '../losses/cross-entropy';

/** Service identifiers of the container. */
export const TOKENS = {
  LossRegistry: Symbol.for('asl-run.LossRegistry'),
  TaskRegistry: Symbol.for('asl-run.TaskRegistry'),
  DetectionHeadRegistry: Symbol.for('asl-run.DetectionHeadRegistry'),
  AssignerRegistry: Symbol.for('asl-run.AssignerRegistry'),
} as const;

export const BUILTIN_LOSSES: readonly LossPlugin[] = [
  aslPlugin,
  aslOptimizedPlugin,
  aslSingleLabelPlugin,
  bcePlugin,
  focalPlugin,
  softmaxFocalPlugin,
  crossEntropyPlugin,
] as LossPlugin[];

const BUILTIN_TASKS: readonly TaskDefinition[] = [multilabelTask, singlelabelTask];

/** Plugin files (`--plugin`) are loaded into the bound LossRegistry afterwards: their `register` may be async (plugin-loader.ts). */
export function createContainer(): Container {
  // Custom layers (GroupNorm, BatchNorm) must be known to tf.serialization before any model is loaded.
  registerCustomLayers();
  registerDetectionLayers();
  const container = new Container();
  container
    .bind<LossRegistry>(TOKENS.LossRegistry)
    .toDynamicValue(() => {
      const registry = new LossRegistry();
      for (const plugin of BUILTIN_LOSSES) registry.register(plugin);
      return registry;
    })
    .inSingletonScope();
  container
    .bind<Registry<AssignerEntry>>(TOKENS.AssignerRegistry)
    .toDynamicValue(() => new Registry<AssignerEntry>('assigner', 'taskOptions.assigner', [simOtaAssigner, centerPriorAssigner]))
    .inSingletonScope();
  container
    .bind<Registry<DetectionHead>>(TOKENS.DetectionHeadRegistry)
    .toDynamicValue((ctx) => new Registry<DetectionHead>('detection head', '--head', [fcosHead, createYoloxHead(ctx.get(TOKENS.AssignerRegistry))]))
    .inSingletonScope();
  container
    .bind<TaskRegistry>(TOKENS.TaskRegistry)
    .toDynamicValue((ctx) => {
      const registry = new TaskRegistry();
      for (const task of BUILTIN_TASKS) registry.register(task);
      registry.register(createDetectionTask({ losses: ctx.get(TOKENS.LossRegistry), backbones: { create: createBackbone }, heads: ctx.get(TOKENS.DetectionHeadRegistry) }));
      return registry;
    })
    .inSingletonScope();
  return container;
}
