/**
 * The loss registry: name → LossPlugin. Bound once in the container (src/core/container.ts);
 * tasks and the engine receive it by injection and resolve losses by name.
 */
import type { Loss, LossParams, LossPlugin } from '../../losses/loss-plugin';
import { guardPluginLoss, type PluginFileRecord } from './plugin-loader';

export interface RegisterOptions {
  /** Replace an existing plugin of the same name instead of failing. */
  replace?: boolean;
  /** Where the plugin came from (a file path, or `built-in`), shown by `asl-run losses`. */
  source?: string;
}

export interface RegisteredLoss {
  plugin: LossPlugin;
  source: string;
}

export class LossRegistry {
  private readonly entries = new Map<string, RegisteredLoss>();
  private readonly files: PluginFileRecord[] = [];

  register(plugin: LossPlugin, options: RegisterOptions = {}): void {
    const existing = this.entries.get(plugin.name);
    if (existing && !options.replace) {
      throw new Error(
        `loss '${plugin.name}' is already registered (from ${existing.source}); pass { replace: true } to replace it`,
      );
    }
    this.entries.set(plugin.name, { plugin, source: options.source ?? 'built-in' });
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** @throws Error listing the known names when `name` is not registered. */
  get(name: string): LossPlugin {
    return this.entry(name).plugin;
  }

  entry(name: string): RegisteredLoss {
    const found = this.entries.get(name);
    if (!found) throw new Error(`unknown loss '${name}' (known: ${this.names().join(', ')})`);
    return found;
  }

  names(): string[] {
    return [...this.entries.keys()].sort();
  }

  list(): RegisteredLoss[] {
    return this.names().map((name) => this.entries.get(name)!);
  }

  /** Validates `params` against the plugin's defaults and builds the loss; a plugin's loss is guarded (errors name its file). */
  create(name: string, params: Partial<LossParams> = {}): Loss {
    const { plugin, source } = this.entry(name);
    const loss = plugin.create(plugin.validate(params));
    return source === 'built-in' ? loss : guardPluginLoss(loss, source);
  }

  /** Records a plugin file loaded into this registry (a run writes them into its config.json). */
  addPluginFile(record: PluginFileRecord): void {
    this.files.push(record);
  }

  /** The plugin files loaded, in order. */
  pluginFiles(): PluginFileRecord[] {
    return this.files.map((f) => ({ ...f }));
  }
}
