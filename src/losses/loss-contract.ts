/**
 * The contract of a loss plugin, checked when a `--plugin` file registers one: the static shape
 * (zod) and a probe that runs the loss, guarded as on real batches, on a small fixed batch (N=3,
 * C=4) with its default parameters — a finite value of the right shape, no tensor left behind.
 */
import { tf } from '../core/tf';
import { oneOf, z } from '../core/schema';
import { checkContract, fn, identifier } from '../core/registry/contract';
import { guardPluginLoss, PluginError, reason } from '../core/registry/plugin-guard';
import type { Loss, LossPlugin } from './loss-plugin';

/** Extra fields (e.g. `description`) are allowed. */
const lossPluginContract = z.object(
  {
    name: identifier(),
    kind: oneOf(['sigmoid', 'softmax']),
    defaults: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()], { error: 'a number, boolean or string' }), { error: 'an object of parameters' }),
    validate: fn(),
    create: fn(),
    counterpart: identifier().optional(),
  },
  { error: 'a LossPlugin object' },
);

function probe(plugin: LossPlugin, source: string): void {
  const [n, c] = [3, 4];
  let loss: Loss;
  try {
    loss = guardPluginLoss(plugin.create(plugin.validate({})), source);
  } catch (err) {
    throw new PluginError(`plugin ${source}: loss '${plugin.name}': failed to create with its defaults (${reason(err)})`);
  }
  tf.tidy(() => {
    const logits = tf.tensor2d([0.5, -1, 2, -3, 1.5, 0, -0.5, 3, -2, 1, 0.25, -1.25], [n, c]);
    const targets = plugin.kind === 'sigmoid' ? tf.tensor2d([1, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0], [n, c]) : tf.tensor1d([2, 0, 3], 'int32');
    const values = loss.compute(logits, targets).dataSync();
    if (!values.every(Number.isFinite)) throw new PluginError(`plugin ${source}: loss '${plugin.name}': compute() returned ${[...values].find((v) => !Number.isFinite(v))} on a small finite batch`);
    loss.compute(logits, targets, { reduction: 'none' });
  });
}

/** @throws PluginError (naming `source`) when the plugin breaks the contract or its probe. */
export function checkLossPlugin(candidate: unknown, source: string): LossPlugin {
  const plugin = checkContract<LossPlugin>(lossPluginContract, candidate, source);
  probe(plugin, source);
  return plugin;
}
