/**
 * Loads user loss plugins (`asl-run --plugin ./my-loss.js`): a CommonJS/transpiled module whose
 * default export is a LossPlugin, or which exports `register(registry, { tf })` — the second
 * argument hands over the TensorFlow.js instance asl-run trains with, so a plugin file needs no
 * dependency of its own. Every plugin it adds is
 * checked against the contract and probed on a small batch before anything resolves a loss, so a
 * broken plugin fails at start-up with a message naming its file; what it does wrong later, on
 * real batches, is caught by the guard the loss registry puts around a plugin's loss, and names
 * the file too.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../tf';
import type { Loss, LossComputeOptions, LossPlugin } from '../../losses/loss-plugin';
import type { LossRegistry } from './loss-registry';
import { oneOf, parseOrThrow, z } from '../schema';

export class PluginError extends Error {}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof (value as PromiseLike<unknown> | undefined)?.then === 'function') return 'a Promise';
  return typeof value === 'object' ? 'an object' : `${typeof value}`;
}

const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/**
 * `loss` with every compute() call checked; errors name `source` (the plugin's file). The probe
 * at load time runs a small fixed batch; on real batches a plugin can still throw, return a
 * promise or a tensor of the wrong shape, which tfjs would report deep in its gradient code
 * naming nothing. The trainer then stops with this one line, keeping the last checkpoint.
 */
export function guardPluginLoss(loss: Loss, source: string): Loss {
  const where = `plugin ${source}: loss '${loss.name}'`;
  return {
    name: loss.name,
    kind: loss.kind,
    params: loss.params,
    compute(logits: tf.Tensor, targets: tf.Tensor, options: LossComputeOptions = {}): tf.Tensor {
      let value: unknown;
      try {
        value = loss.compute(logits, targets, options);
      } catch (err) {
        throw new PluginError(`${where}: compute() failed on logits of shape ${shapeText(logits.shape)} (${err instanceof Error ? err.message : String(err)})`);
      }
      if (!(value instanceof tf.Tensor)) {
        // A rejected promise is reported here, once, not again as an unhandled rejection.
        if (describe(value) === 'a Promise') (value as Promise<unknown>).then(undefined, () => undefined);
        throw new PluginError(`${where}: compute() must return a tf.Tensor synchronously, got ${describe(value)}`);
      }
      const elementwise = (options.reduction ?? loss.params.reduction) === 'none';
      const expected = !elementwise ? [] : loss.kind === 'sigmoid' ? logits.shape : [logits.shape[0]];
      if (value.shape.join() !== expected.join()) {
        const wanted = elementwise ? `shape ${shapeText(expected)} (reduction 'none')` : 'a scalar';
        throw new PluginError(`${where}: compute() returned shape ${shapeText(value.shape)} for logits of shape ${shapeText(logits.shape)}, expected ${wanted}`);
      }
      return value;
    },
  };
}

const fn = () => z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', { error: 'must be a function' });

/** The static contract of a LossPlugin (extra fields, e.g. `description`, are allowed). */
const lossPluginContract = z.object(
  {
    name: z.string({ error: 'an identifier string' }).regex(/^[a-z0-9][a-z0-9._-]*$/i, { error: 'an identifier string (letters, digits, . _ -)' }),
    kind: oneOf(['sigmoid', 'softmax']),
    defaults: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()], { error: 'a number, boolean or string' }), { error: 'an object of parameters' }),
    validate: fn(),
    create: fn(),
  },
  { error: 'a LossPlugin object' },
);

/**
 * Runs the plugin's loss, guarded as on real batches, once on a fixed small batch (N=3, C=4) with
 * its default parameters: a finite value of the right shape. Leaves no tensors behind.
 */
function probe(plugin: LossPlugin, source: string): void {
  const [n, c] = [3, 4];
  let loss: Loss;
  try {
    loss = guardPluginLoss(plugin.create(plugin.validate({})), source);
  } catch (err) {
    throw new PluginError(`plugin ${source}: loss '${plugin.name}': failed to create with its defaults (${err instanceof Error ? err.message : String(err)})`);
  }
  tf.tidy(() => {
    const logits = tf.tensor2d([0.5, -1, 2, -3, 1.5, 0, -0.5, 3, -2, 1, 0.25, -1.25], [n, c]);
    const targets = plugin.kind === 'sigmoid' ? tf.tensor2d([1, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0], [n, c]) : tf.tensor1d([2, 0, 3], 'int32');
    const values = loss.compute(logits, targets).dataSync();
    if (!values.every(Number.isFinite)) throw new PluginError(`plugin ${source}: loss '${plugin.name}': compute() returned ${[...values].find((v) => !Number.isFinite(v))} on a small finite batch`);
    loss.compute(logits, targets, { reduction: 'none' });
  });
}

/** Throws PluginError (naming `source`) when the plugin breaks the contract or its probe. */
export function checkPlugin(candidate: unknown, source: string): LossPlugin {
  try {
    parseOrThrow(lossPluginContract, candidate, (keyPath) => [`plugin ${source}`, ...(keyPath.length > 0 ? [keyPath.join('.')] : [])].join(': '));
  } catch (err) {
    throw new PluginError((err as Error).message);
  }
  probe(candidate as LossPlugin, source);
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
