/**
 * The contract of a loss plugin, checked when a `--plugin` file registers one: the static shape
 * (zod) and a probe that runs the loss, guarded as on real batches, on a small fixed batch (N=3,
 * C=4) with its default parameters — the right shapes, a finite value once read back, no tensor
 * left behind. The loader runs the probe once the plugin's `register` has returned.
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

/** Runs the loss, guarded, with reductions 'sum' and 'none' on the fixed batch: `compute` throws on the wrong shape. */
function probeShapes(plugin: LossPlugin, source: string): tf.Tensor {
  let loss: Loss;
  try {
    loss = guardPluginLoss(plugin.create(plugin.validate({})), source);
  } catch (err) {
    throw new PluginError(`plugin ${source}: loss '${plugin.name}': failed to create with its defaults (${reason(err)})`);
  }
  return tf.tidy(() => {
    const logits = tf.tensor2d([0.5, -1, 2, -3, 1.5, 0, -0.5, 3, -2, 1, 0.25, -1.25], [3, 4]);
    const targets = plugin.kind === 'sigmoid' ? tf.tensor2d([1, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0], [3, 4]) : tf.tensor1d([2, 0, 3], 'int32');
    loss.compute(logits, targets, { reduction: 'none' });
    return loss.compute(logits, targets);
  });
}

/** @throws PluginError (naming `source`) when the plugin breaks the static contract. */
export function checkLossPlugin(candidate: unknown, source: string): LossPlugin {
  return checkContract<LossPlugin>(lossPluginContract, candidate, source);
}

/**
 * The probe: the right shapes at once, then a finite value on the small batch, read back
 * asynchronously (GPU backends).
 * @throws PluginError naming `source`
 */
export async function probeLossValues(plugin: LossPlugin, source: string): Promise<void> {
  const value = probeShapes(plugin, source);
  try {
    const values = await value.data();
    const bad = [...values].find((v) => !Number.isFinite(v));
    if (bad !== undefined) throw new PluginError(`plugin ${source}: loss '${plugin.name}': compute() returned ${bad} on a small finite batch`);
  } finally {
    value.dispose();
  }
}
