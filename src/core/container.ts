/**
 * The composition root: the one place where built-in components are named and bound. Each kind
 * has a multi-binding token for its built-ins and a singleton registry made from them by factory
 * injection; tasks, the plugin loader and the training engine get the registries they use
 * injected the same way. Nothing registers itself on import. Adding a built-in loss, backbone,
 * detection head, assigner, dataset, optimiser or schedule is its own file plus one line here;
 * `--plugin` files add to the same registries at run time (PluginLoader).
 *
 * inversify earns its place with the multi-bindings (the lists below are the only lists of
 * built-ins), singleton scopes across the object graph, and containers a test can rebind
 * (`container.rebind(TOKENS.Backbone)`) without touching this file.
 */
import { Container, type ServiceIdentifier } from 'inversify';
import { Registry, type Named } from './registry/registry';
import { LossRegistry } from './registry/loss-registry';
import { TaskRegistry, type TaskDefinition } from './registry/task-registry';
import { PluginFiles } from './registry/plugin-files';
import { PluginLoader, type PluginKind } from './registry/plugin-loader';
import { TrainingEngine } from './engine/run';
import { adam, adamw, sgd, type OptimizerEntry } from './engine/optimizers';
import { constantSchedule, cosineSchedule, oneCycleSchedule, type ScheduleEntry } from './engine/schedules';
import { DatasetRegistry } from './data/builtin';
import type { BuiltinGenerator } from './data/builtin/generator';
import { checkBuiltinGenerator } from './data/builtin/generator-contract';
import { MNIST_MULTILABEL } from './data/builtin/mnist-multilabel';
import { MNIST_FOLDER } from './data/builtin/mnist-folder';
import { MNIST_DETECTION } from './data/builtin/mnist-detection';
import { MNIST_COLOUR_MULTILABEL } from './data/builtin/mnist-colour-multilabel';
import type { LossPlugin } from '../losses/loss-plugin';
import { checkLossPlugin, probeLossValues } from '../losses/loss-contract';
import { aslOptimizedPlugin, aslPlugin } from '../losses/asymmetric';
import { aslSingleLabelPlugin } from '../losses/asl-single-label';
import { bcePlugin } from '../losses/bce';
import { focalPlugin, softmaxFocalPlugin } from '../losses/focal';
import { crossEntropyPlugin } from '../losses/cross-entropy';
import { BackboneRegistry, type BackboneEntry, type BackboneFactory } from '../backbones/registry';
import { checkBackboneEntry } from '../backbones/backbone-contract';
import { mobilenetSmall, mobilenetTiny, resnetSmall, resnetTiny } from '../backbones/entries';
import { registerCustomLayers } from '../backbones/custom-layers';
import { tfjsBackbones } from '../backbones/tfjs-backbone';
import { createMultilabelTask } from '../tasks/multilabel';
import { createSinglelabelTask } from '../tasks/singlelabel';
import { createDetectionTask, registerDetectionLayers } from '../tasks/detection';
import type { DetectionHead } from '../tasks/detection/head';
import { checkDetectionHeadContract, probeDetectionHead } from '../tasks/detection/head-contract';
import { fcosHead } from '../tasks/detection/heads/fcos';
import { centerPriorAssigner, createYoloxHead, simOtaAssigner, type AssignerEntry } from '../tasks/detection/heads/yolox';
import { checkNamedComponent, TASK_FIELDS } from './registry/named-contract';
import type { z } from './schema';

/** Service identifiers: `<Kind>` for the multi-bound built-ins, `<Kind>Registry` for the registry of the kind. */
export const TOKENS = {
  Loss: Symbol.for('asl-run.Loss'),
  LossRegistry: Symbol.for('asl-run.LossRegistry'),
  Backbone: Symbol.for('asl-run.Backbone'),
  BackboneFactory: Symbol.for('asl-run.BackboneFactory'),
  BackboneRegistry: Symbol.for('asl-run.BackboneRegistry'),
  DetectionHead: Symbol.for('asl-run.DetectionHead'),
  DetectionHeadRegistry: Symbol.for('asl-run.DetectionHeadRegistry'),
  Assigner: Symbol.for('asl-run.Assigner'),
  AssignerRegistry: Symbol.for('asl-run.AssignerRegistry'),
  Dataset: Symbol.for('asl-run.Dataset'),
  DatasetRegistry: Symbol.for('asl-run.DatasetRegistry'),
  Optimizer: Symbol.for('asl-run.Optimizer'),
  OptimizerRegistry: Symbol.for('asl-run.OptimizerRegistry'),
  Schedule: Symbol.for('asl-run.Schedule'),
  ScheduleRegistry: Symbol.for('asl-run.ScheduleRegistry'),
  Task: Symbol.for('asl-run.Task'),
  TaskRegistry: Symbol.for('asl-run.TaskRegistry'),
  PluginFiles: Symbol.for('asl-run.PluginFiles'),
  PluginLoader: Symbol.for('asl-run.PluginLoader'),
  TrainingEngine: Symbol.for('asl-run.TrainingEngine'),
} as const;

const all = <T>(serviceIdentifier: ServiceIdentifier<T>) => ({ serviceIdentifier, isMultiple: true as const });

/** Binds `token` to the registry `make` builds from every component multi-bound to `builtins`. */
function bindRegistry<T extends Named, R extends Registry<T>>(container: Container, token: symbol, builtins: symbol, make: (components: T[]) => R): void {
  container
    .bind<R>(token)
    .toResolvedValue((components: T[]) => make(components), [all<T>(builtins)])
    .inSingletonScope();
}

function bindBuiltins(container: Container): void {
  const constant = <T>(token: symbol, value: T) => container.bind<T>(token).toConstantValue(value);
  for (const loss of [aslPlugin, aslOptimizedPlugin, aslSingleLabelPlugin, bcePlugin, focalPlugin, softmaxFocalPlugin, crossEntropyPlugin]) constant<LossPlugin>(TOKENS.Loss, loss as LossPlugin);
  for (const backbone of [resnetTiny, resnetSmall, mobilenetTiny, mobilenetSmall]) constant<BackboneEntry>(TOKENS.Backbone, backbone);
  constant<BackboneFactory>(TOKENS.BackboneFactory, tfjsBackbones);
  constant<AssignerEntry>(TOKENS.Assigner, simOtaAssigner);
  constant<AssignerEntry>(TOKENS.Assigner, centerPriorAssigner);
  constant<DetectionHead>(TOKENS.DetectionHead, fcosHead);
  container.bind<DetectionHead>(TOKENS.DetectionHead).toResolvedValue(createYoloxHead, [TOKENS.AssignerRegistry]).inSingletonScope();
  for (const dataset of [MNIST_MULTILABEL, MNIST_FOLDER, MNIST_DETECTION, MNIST_COLOUR_MULTILABEL]) constant<BuiltinGenerator>(TOKENS.Dataset, dataset);
  for (const optimizer of [adam, adamw, sgd]) constant<OptimizerEntry>(TOKENS.Optimizer, optimizer);
  for (const schedule of [oneCycleSchedule, cosineSchedule, constantSchedule]) constant<ScheduleEntry>(TOKENS.Schedule, schedule);
  type Deps = [LossRegistry, BackboneRegistry, DatasetRegistry];
  const deps = [TOKENS.LossRegistry, TOKENS.BackboneRegistry, TOKENS.DatasetRegistry] as [symbol, symbol, symbol];
  const task = (factory: (...args: Deps) => TaskDefinition) => container.bind<TaskDefinition>(TOKENS.Task).toResolvedValue(factory, deps).inSingletonScope();
  task((losses, backbones, datasets) => createMultilabelTask({ losses, backbones, datasets }));
  task((losses, backbones, datasets) => createSinglelabelTask({ losses, backbones, datasets }));
  container
    .bind<TaskDefinition>(TOKENS.Task)
    .toResolvedValue(
      (losses: LossRegistry, backbones: BackboneRegistry, datasets: DatasetRegistry, heads: Registry<DetectionHead>) => createDetectionTask({ losses, backbones, datasets, heads }),
      [...deps, TOKENS.DetectionHeadRegistry],
    )
    .inSingletonScope();
}

function bindRegistries(container: Container): void {
  bindRegistry(container, TOKENS.LossRegistry, TOKENS.Loss, (c: LossPlugin[]) => new LossRegistry(c));
  container
    .bind<BackboneRegistry>(TOKENS.BackboneRegistry)
    .toResolvedValue((entries: BackboneEntry[], factories: BackboneFactory[]) => new BackboneRegistry(entries, factories), [all<BackboneEntry>(TOKENS.Backbone), all<BackboneFactory>(TOKENS.BackboneFactory)])
    .inSingletonScope();
  bindRegistry(container, TOKENS.DetectionHeadRegistry, TOKENS.DetectionHead, (c: DetectionHead[]) => new Registry('detection head', 'taskOptions.head', c));
  bindRegistry(container, TOKENS.AssignerRegistry, TOKENS.Assigner, (c: AssignerEntry[]) => new Registry('assigner', 'taskOptions.assigner', c));
  bindRegistry(container, TOKENS.DatasetRegistry, TOKENS.Dataset, (c: BuiltinGenerator[]) => new DatasetRegistry(c));
  bindRegistry(container, TOKENS.OptimizerRegistry, TOKENS.Optimizer, (c: OptimizerEntry[]) => new Registry('optimizer', '--optimizer', c));
  bindRegistry(container, TOKENS.ScheduleRegistry, TOKENS.Schedule, (c: ScheduleEntry[]) => new Registry('schedule', '--schedule', c));
  bindRegistry(container, TOKENS.TaskRegistry, TOKENS.Task, (c: TaskDefinition[]) => new TaskRegistry(c));
}

/** The kinds a `--plugin` file may register, each with its registry and contract check. */
function pluginKinds(registries: Record<string, Registry<Named>>): PluginKind[] {
  const kind = <T extends Named>(key: string, check: (candidate: unknown, source: string) => T, probe?: (component: T, source: string) => Promise<void>): PluginKind =>
    ({ key, registry: registries[key], check, probe }) as PluginKind;
  const named = (what: string, methods: string[], fields?: Record<string, z.ZodType>) => (candidate: unknown, source: string) => checkNamedComponent(candidate, source, what, methods, fields);
  return [
    kind('losses', checkLossPlugin, probeLossValues),
    kind('backbones', checkBackboneEntry),
    kind('detectionHeads', checkDetectionHeadContract, (head: DetectionHead, source) => probeDetectionHead(head, source)),
    kind('assigners', named('assigner', ['create'])),
    kind('datasets', checkBuiltinGenerator),
    kind('optimizers', named('optimizer', ['create'])),
    kind('schedules', named('schedule', ['create'])),
    kind('tasks', named('task', ['defaults', 'prepare', 'predict'], TASK_FIELDS)),
  ];
}

function bindServices(container: Container): void {
  container.bind<PluginFiles>(TOKENS.PluginFiles).toResolvedValue(() => new PluginFiles()).inSingletonScope();
  // The plugin api's keys, each with its registry's token.
  const kinds: Record<string, symbol> = {
    losses: TOKENS.LossRegistry,
    backbones: TOKENS.BackboneRegistry,
    detectionHeads: TOKENS.DetectionHeadRegistry,
    assigners: TOKENS.AssignerRegistry,
    datasets: TOKENS.DatasetRegistry,
    optimizers: TOKENS.OptimizerRegistry,
    schedules: TOKENS.ScheduleRegistry,
    tasks: TOKENS.TaskRegistry,
  };
  const keys = Object.keys(kinds);
  container
    .bind<PluginLoader>(TOKENS.PluginLoader)
    .toResolvedValue(
      (files: PluginFiles, ...registries: Registry<Named>[]) => new PluginLoader(pluginKinds(Object.fromEntries(keys.map((k, i) => [k, registries[i]]))), files),
      [TOKENS.PluginFiles, ...keys.map((k) => kinds[k])] as [symbol, ...symbol[]],
    )
    .inSingletonScope();
  container
    .bind<TrainingEngine>(TOKENS.TrainingEngine)
    .toResolvedValue(
      (optimizers: Registry<OptimizerEntry>, schedules: Registry<ScheduleEntry>, plugins: PluginFiles, tasks: TaskRegistry, backbones: BackboneRegistry) =>
        new TrainingEngine({ optimizers, schedules }, plugins, { tasks, backbones }),
      [TOKENS.OptimizerRegistry, TOKENS.ScheduleRegistry, TOKENS.PluginFiles, TOKENS.TaskRegistry, TOKENS.BackboneRegistry],
    )
    .inSingletonScope();
}

export function createContainer(): Container {
  // Custom layers (GroupNorm, BatchNorm, LevelScale) must be known to tf.serialization before any model is loaded.
  registerCustomLayers();
  registerDetectionLayers();
  const container = new Container();
  bindBuiltins(container);
  bindRegistries(container);
  bindServices(container);
  return container;
}
