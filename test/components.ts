/** The composition root's services, as the CLI resolves them, for tests (a fresh container each call). */
import { createContainer, TOKENS } from '../src/core/container';
import type { TaskRegistry } from '../src/core/registry/task-registry';
import type { LossRegistry } from '../src/core/registry/loss-registry';
import type { BackboneRegistry } from '../src/backbones/registry';
import type { DatasetRegistry } from '../src/core/data/builtin';
import type { TrainingEngine } from '../src/core/engine/run';
import type { PluginLoader } from '../src/core/registry/plugin-loader';
import type { PluginFiles } from '../src/core/registry/plugin-files';

export function components() {
  const container = createContainer();
  return {
    container,
    tasks: container.get<TaskRegistry>(TOKENS.TaskRegistry),
    losses: container.get<LossRegistry>(TOKENS.LossRegistry),
    backbones: container.get<BackboneRegistry>(TOKENS.BackboneRegistry),
    datasets: container.get<DatasetRegistry>(TOKENS.DatasetRegistry),
    engine: container.get<TrainingEngine>(TOKENS.TrainingEngine),
    plugins: container.get<PluginLoader>(TOKENS.PluginLoader),
    pluginFiles: container.get<PluginFiles>(TOKENS.PluginFiles),
  };
}
