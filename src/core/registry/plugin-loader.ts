/**
 * Loads `--plugin` files: CommonJS (or transpiled) modules that add components of any kind to the
 * container's registries. A file either default-exports a LossPlugin, or exports
 * `register(api, { tf })`, where `api.losses`, `api.backbones`, `api.detectionHeads`, … (one per
 * kind, see PLUGIN_KIND_KEYS) each take `register(component, { replace? })`, and `api.register`
 * registers a loss. `{ tf }` is the TensorFlow.js instance asl-run trains with, so a plugin needs
 * no dependency of its own. Every component is checked against its kind's contract and probed
 * before anything resolves it, so a broken plugin fails at start-up with one line naming its file;
 * what a loss does wrong later, on real batches, is caught by its guard (plugin-guard.ts).
 */
import * as path from 'path';
import { tf } from '../tf';
import type { Named, Registry } from './registry';
import { describeValue, PluginError, reason } from './plugin-guard';
import { PluginFiles, sha256OfFile, type PluginFileRecord } from './plugin-files';

/** One component kind as plugins see it: its registry and the check of a candidate component. */
export interface PluginKind<T extends Named = Named> {
  /** The kind's key on the plugin api, e.g. `backbones`. */
  readonly key: string;
  readonly registry: Registry<T>;
  /** The candidate as a component of this kind, or a PluginError naming `source`. */
  check(candidate: unknown, source: string): T;
  /** A check that reads results back (asynchronously, as GPU backends must), run once `register` has returned. */
  probe?(component: T, source: string): Promise<void>;
}

/** What `register(api)` sees of one registry. */
export interface RegistryView {
  register(component: unknown, options?: { replace?: boolean }): void;
  has(name: string): boolean;
  names(): string[];
}

/** The plugin files loaded in this process, to name the one an asynchronous failure came from. */
const loadedFiles = new Set<string>();

/** The loaded plugin file whose code appears in `err`'s stack, if any. */
export function pluginBehind(err: unknown): string | undefined {
  const stack = err instanceof Error ? (err.stack ?? '') : '';
  return [...loadedFiles].find((file) => stack.includes(file));
}

export interface LoadedPlugin extends PluginFileRecord {
  /** What the file registered, as `<kind key>:<name>` in order (e.g. `losses:poly-bce`). */
  registered: string[];
}

export class PluginLoader {
  /**
   * @param kinds every component kind a plugin may register, `losses` among them
   * @param files where the loaded files are recorded
   */
  constructor(
    private readonly kinds: readonly PluginKind[],
    private readonly files: PluginFiles,
  ) {}

  /**
   * Loads one plugin file and records it (path and content hash). An async `register` is awaited.
   * @throws PluginError naming the file
   */
  async load(file: string): Promise<LoadedPlugin> {
    const resolved = path.resolve(file);
    let mod: Record<string, unknown>;
    let sha256: string;
    try {
      sha256 = sha256OfFile(resolved);
      mod = require(resolved);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const why = e.code === 'ENOENT' || (e.code === 'MODULE_NOT_FOUND' && e.message.includes(resolved)) ? 'file not found' : reason(e);
      throw new PluginError(`plugin ${file}: cannot load (${why})`);
    }
    loadedFiles.add(resolved);
    const registered: string[] = [];
    const probes: (() => Promise<void>)[] = [];
    // What each registration replaced, to undo the file's registrations when a later step fails.
    const undo: (() => void)[] = [];
    const add = (kind: PluginKind, candidate: unknown, replace = false): void => {
      const component = kind.check(candidate, file);
      const previous = kind.registry.has(component.name) ? kind.registry.entry(component.name) : undefined;
      try {
        kind.registry.register(component, { replace, source: file });
      } catch (err) {
        throw new PluginError(`plugin ${file}: ${reason(err)}`);
      }
      undo.push(() => kind.registry.restore(component.name, previous));
      registered.push(`${kind.key}:${component.name}`);
      if (kind.probe) probes.push(() => kind.probe!(component, file));
    };
    try {
      await this.registerAll(mod, file, add, registered);
      for (const probe of probes) await probe();
    } catch (err) {
      for (const step of undo.reverse()) step();
      throw err;
    }
    const record = { path: resolved, sha256 };
    this.files.add(record);
    return { ...record, registered };
  }

  /** Calls the file's `register(api, { tf })`, or registers its default export as a loss. */
  private async registerAll(mod: Record<string, unknown>, file: string, add: (kind: PluginKind, candidate: unknown, replace?: boolean) => void, registered: readonly string[]): Promise<void> {
    const exported = (mod.default ?? mod) as Record<string, unknown>;
    const register = [mod.register, exported.register].find((f) => typeof f === 'function') as ((api: unknown, context: { tf: typeof tf }) => unknown) | undefined;
    if (!register) {
      add(this.kind('losses'), exported);
      return;
    }
    try {
      const done = register(this.api(add), { tf });
      if (describeValue(done) === 'a Promise') await done;
    } catch (err) {
      throw err instanceof PluginError ? err : new PluginError(`plugin ${file}: register() failed (${reason(err)})`);
    }
    if (registered.length === 0) throw new PluginError(`plugin ${file}: register(api) registered nothing`);
  }

  private kind(key: string): PluginKind {
    const kind = this.kinds.find((k) => k.key === key);
    if (!kind) throw new Error(`plugin loader: no '${key}' kind is bound`);
    return kind;
  }

  /** `api.<kind>` for every kind; `api.register/has/names` are the losses' (the original plugin api). */
  private api(add: (kind: PluginKind, candidate: unknown, replace?: boolean) => void): Record<string, RegistryView> & RegistryView {
    const view = (kind: PluginKind): RegistryView => ({
      register: (component, options) => add(kind, component, options?.replace),
      has: (name) => kind.registry.has(name),
      names: () => kind.registry.names(),
    });
    const views = Object.fromEntries(this.kinds.map((kind) => [kind.key, view(kind)]));
    return { ...views, ...view(this.kind('losses')) } as Record<string, RegistryView> & RegistryView;
  }
}
