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
import { detectionTask, registerDetectionLayers } from '../tasks/detection';
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

export const BUILTIN_TASKS: readonly TaskDefinition[] = [multilabelTask, singlelabelTask, detectionTask];

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
    .bind<TaskRegistry>(TOKENS.TaskRegistry)
    .toDynamicValue(() => {
      const registry = new TaskRegistry();
      for (const task of BUILTIN_TASKS) registry.register(task);
      return registry;
    })
    .inSingletonScope();
  return container;
}
