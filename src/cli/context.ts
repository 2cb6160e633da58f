/**
 * What every command handler gets: the container built from the global options, with the
 * backend initialised once and announced on stderr.
 */
import type { Container } from 'inversify';
import { createContainer, TOKENS } from '../core/container';
import { BACKEND_NAMES, BackendName, BackendInfo, initBackend } from '../core/backend/init';
import { resolveWasmThreads } from '../core/backend/wasm-module';
import { UsageError } from './usage-error';
import type { LossRegistry } from '../core/registry/loss-registry';
import type { TaskRegistry } from '../core/registry/task-registry';
import type { PluginLoader } from '../core/registry/plugin-loader';
import { pluginsForRun } from '../core/registry/run-plugins';
import type { TrainingEngine } from '../core/engine/run';
import type { DatasetRegistry } from '../core/data/builtin';

export interface GlobalOptions {
  backend: BackendName;
  /** wasm compute threads: `auto` or 1-8; undefined: $ASL_RUN_THREADS, else auto. */
  threads?: string;
  plugin: string[];
  quiet: boolean;
}

/** The services a command uses, resolved from the container once the plugins are loaded. */
export interface CliContext {
  container: Container;
  backend: BackendInfo;
  tasks: TaskRegistry;
  losses: LossRegistry;
  datasets: DatasetRegistry;
  engine: TrainingEngine;
  /** Progress and status lines (stderr), silenced by --quiet. Results go to stdout. */
  log: (line: string) => void;
}

/** A command on an existing run: `--resume DIR` (train) or `--run DIR` (eval, predict). */
export interface RunReference {
  resume?: string;
  run?: string;
}

/**
 * The container with the plugins loaded: the `--plugin` files, or for a command on an existing run,
 * the plugins that run recorded (checked against their hashes). No backend is initialised.
 */
export async function loadComponents(options: Pick<GlobalOptions, 'plugin'> & RunReference): Promise<Container> {
  const container = createContainer();
  const loader = container.get<PluginLoader>(TOKENS.PluginLoader);
  const runDir = options.resume ?? options.run;
  const plugins = runDir ? pluginsForRun(runDir, options.plugin) : options.plugin;
  // In order: a later file may replace a component an earlier one registered.
  for (const file of plugins) await loader.load(file);
  return container;
}

/** Initialises the backend (announced on stderr) and resolves the services with the plugins loaded (see loadComponents). */
export async function createContext(options: GlobalOptions & RunReference): Promise<CliContext> {
  const log = options.quiet ? () => undefined : (line: string) => process.stderr.write(`${line}\n`);
  if (!(BACKEND_NAMES as readonly string[]).includes(options.backend)) {
    throw new UsageError(`--backend: unknown backend '${options.backend}' (choose one of ${BACKEND_NAMES.join(', ')})`);
  }
  let threads: number;
  try {
    threads = resolveWasmThreads(options.threads);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const backend = await initBackend(options.backend, { threads });
  log(`asl-run: backend ${backend.name} (${backend.detail})`);
  const container = await loadComponents(options);
  return {
    container,
    backend,
    tasks: container.get<TaskRegistry>(TOKENS.TaskRegistry),
    losses: container.get<LossRegistry>(TOKENS.LossRegistry),
    datasets: container.get<DatasetRegistry>(TOKENS.DatasetRegistry),
    engine: container.get<TrainingEngine>(TOKENS.TrainingEngine),
    log,
  };
}
