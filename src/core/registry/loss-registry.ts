/**
 * The loss registry: name → LossPlugin. Bound once in the container (src/core/container.ts);
 * tasks receive it by injection and resolve losses by name.
 */
import type { Loss, LossParams, LossPlugin } from '../../losses/loss-plugin';
import { Registry } from './registry';
import { guardPluginLoss } from './plugin-guard';

export class LossRegistry extends Registry<LossPlugin> {
  constructor(builtins: readonly LossPlugin[] = []) {
    // Callers name the option that chose the loss (`--loss`, `taskOptions.objLoss`).
    super('loss', '', builtins);
  }

  /** Sorted, as `asl-run losses` lists them. */
  override names(): string[] {
    return super.names().sort();
  }

  /** Validates `params` against the plugin's defaults and builds the loss; a plugin's loss is guarded (errors name its file). */
  create(name: string, params: Partial<LossParams> = {}): Loss {
    const { component: plugin, source } = this.entry(name);
    const loss = plugin.create(plugin.validate(params));
    return source === 'built-in' ? loss : guardPluginLoss(loss, source);
  }
}
