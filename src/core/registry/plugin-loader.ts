/**
 * Loads user loss plugins (`asl-run --plugin ./my-loss.js`): a CommonJS/transpiled module whose
 * default export is a LossPlugin, or which exports `register(registry, { tf })` — the second
 * argument hands over the TensorFlow.js instance asl-run trains with, so a plugin file needs no
 * dependency of its own. Every plugin it adds is
 * checked against the contract and probed on a small batch before anything resolves a loss, so a
 * broken plugin fails at start-up with a message naming its file; what it does wrong later, on
 * real batches, is caught by the registry's guard (plugin-guard.ts) and names the file too.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../tf';
import type { LossPlugin } from '../../losses/loss-plugin';
import type { LossRegistry } from './loss-registry';
import { describeValue as describe, PluginError } from './plugin-guard';

export { PluginError };

/** Checks the static shape of a plugin object; returns the first problem found, if any. */
export function contractProblem(candidate: unknown): string | undefined {
  if (typeof candidate !== 'object' || candidate === null) return `expected a LossPlugin object, got ${describe(candidate)}`;
  const p = candidate as Partial<LossPlugin>;
  if (typeof p.name !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/i.test(p.name)) return `'name' must be a non-empty identifier string, got ${JSON.stringify(p.name)}`;
  if (p.kind !== 'sigmoid' && p.kind !== 'softmax') return `loss '${p.name}': 'kind' must be 'sigmoid' or 'softmax', got ${JSON.stringify(p.kind)}`;
  if (typeof p.defaults !== 'object' || p.defaults === null || Array.isArray(p.defaults)) return `loss '${p.name}': 'defaults' must be an object of parameters`;
  if (typeof p.validate !== 'function') return `loss '${p.name}': 'validate(params)' must be a function`;
  if (typeof p.create !== 'function') return `loss '${p.name}': 'create(params)' must be a function`;
  return undefined;
}

/**
 * Runs the plugin's loss once on a fixed small batch (N=3, C=4) with its default parameters and
 * checks the outputs: a finite scalar by default, the elementwise shape with reduction 'none'.
 * Leaves no tensors behind.
 */
export function probeProblem(plugin: LossPlugin): string | undefined {
  const [n, c] = [3, 4];
  try {
    const loss = plugin.create(plugin.validate({}));
    return tf.tidy(() => {
      const logits = tf.tensor2d([0.5, -1, 2, -3, 1.5, 0, -0.5, 3, -2, 1, 0.25, -1.25], [n, c]);
      const targets = plugin.kind === 'sigmoid'
        ? tf.tensor2d([1, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0], [n, c])
        : tf.tensor1d([2, 0, 3], 'int32');
      const value = loss.compute(logits, targets);
      if (!(value instanceof tf.Tensor)) return `compute() must return a tf.Tensor, got ${describe(value)}`;
      if (value.rank !== 0) return `compute() must return a scalar by default, got shape [${value.shape}]`;
      const v = value.dataSync()[0];
      if (!Number.isFinite(v)) return `compute() returned ${v} on a small finite batch`;
      const none = loss.compute(logits, targets, { reduction: 'none' });
      const expected = plugin.kind === 'sigmoid' ? [n, c] : [n];
      if (!(none instanceof tf.Tensor) || none.shape.join() !== expected.join()) {
        return `compute(…, { reduction: 'none' }) must return shape [${expected}], got ${none instanceof tf.Tensor ? `[${none.shape}]` : describe(none)}`;
      }
      return undefined;
    });
  } catch (err) {
    return `failed on a probe batch: ${(err as Error).message}`;
  }
}

/** Throws PluginError (naming `source`) when the plugin breaks the contract or its probe. */
export function checkPlugin(candidate: unknown, source: string): LossPlugin {
  const problem = contractProblem(candidate) ?? probeProblem(candidate as LossPlugin);
  if (problem) throw new PluginError(`plugin ${source}: ${problem}`);
  return candidate as LossPlugin;
}

/** What a run records of a plugin file it loaded, to reload the very same code on resume. */
export interface PluginFileRecord {
  /** Absolute path of the file. */
  path: string;
  /** SHA-256 of its content, hex. */
  sha256: string;
}

export function sha256OfFile(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** The plugin files loaded in this process, to name the one an asynchronous failure came from. */
const loadedFiles = new Set<string>();

/** The loaded plugin file whose code appears in `err`'s stack, if any. */
export function pluginBehind(err: unknown): string | undefined {
  const stack = err instanceof Error ? (err.stack ?? '') : '';
  return [...loadedFiles].find((file) => stack.includes(file));
}

/**
 * Loads one plugin file into the registry and records it there (path and content hash). A
 * `register(registry, { tf })` export is given a view of the registry that checks each plugin
 * it registers; an async `register` is awaited.
 * @returns the record of the file and the names of the losses it registered.
 */
export async function loadPluginFile(file: string, registry: LossRegistry): Promise<PluginFileRecord & { losses: string[] }> {
  const resolved = path.resolve(file);
  let mod: Record<string, unknown>;
  let sha256: string;
  try {
    sha256 = sha256OfFile(resolved);
    mod = require(resolved);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' || (e.code === 'MODULE_NOT_FOUND' && e.message.includes(resolved)) ? 'file not found' : e.message.split('\n')[0];
    throw new PluginError(`plugin ${file}: cannot load (${why})`);
  }
  loadedFiles.add(resolved);
  const registered: string[] = [];
  const add = (candidate: unknown, replace = false): void => {
    const plugin = checkPlugin(candidate, file);
    try {
      registry.register(plugin, { replace, source: file });
    } catch (err) {
      throw new PluginError(`plugin ${file}: ${(err as Error).message}`);
    }
    registered.push(plugin.name);
  };
  const exported = (mod.default ?? mod) as Record<string, unknown>;
  if (typeof mod.register === 'function' || typeof exported.register === 'function') {
    const register = (typeof mod.register === 'function' ? mod.register : exported.register) as (r: unknown, api: { tf: typeof tf }) => unknown;
    const view = {
      register: (plugin: unknown, options?: { replace?: boolean }) => add(plugin, options?.replace),
      has: (name: string) => registry.has(name),
      names: () => registry.names(),
    };
    try {
      const done = register(view, { tf });
      if (describe(done) === 'a Promise') await done;
    } catch (err) {
      throw err instanceof PluginError ? err : new PluginError(`plugin ${file}: register() failed (${err instanceof Error ? err.message : String(err)})`);
    }
    if (registered.length === 0) throw new PluginError(`plugin ${file}: register(registry) registered no loss`);
  } else {
    add(exported);
  }
  const record = { path: resolved, sha256 };
  registry.addPluginFile(record);
  return { ...record, losses: registered };
}
