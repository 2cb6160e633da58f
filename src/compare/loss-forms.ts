/**
 * Which loss a `--losses` name trains with on each task. A task trains with one kind of loss (its
 * `traits.lossKind`: sigmoid for multi-hot targets, softmax for one class id), and several losses
 * come in a sigmoid and a softmax form, which their plugins declare (`LossPlugin.counterpart`,
 * e.g. bce ↔ ce, asl ↔ asl-single-label, focal ↔ focal-softmax). A name is never silently
 * swapped for an unrelated loss: it is used as is when its kind fits, else through its declared
 * counterpart, else the cell is reported as n/a.
 */
import type { LossKind } from '../losses/loss-plugin';
import type { LossRegistry } from '../core/registry/loss-registry';
import type { TaskTraits } from '../core/registry/task-registry';

export type LossChoice = { applicable: true; loss: string } | { applicable: false; reason: string };

/** The registered loss declared as `name`'s other form, in either direction, if any. */
function counterpartOf(name: string, losses: LossRegistry): string | undefined {
  if (losses.has(name)) {
    const own = losses.get(name).counterpart;
    if (own !== undefined) return own;
  }
  return losses.list().find(({ component }) => component.counterpart === name)?.component.name;
}

/**
 * The registered loss that `requested` means on a task with `traits`, or why there is none.
 * @throws Error when `requested` is neither registered nor the declared counterpart of a registered loss.
 */
export function chooseLoss(requested: string, task: { name: string; traits: Pick<TaskTraits, 'lossKind'> }, losses: LossRegistry): LossChoice {
  const { lossKind } = task.traits;
  const form = counterpartOf(requested, losses);
  if (!losses.has(requested) && form === undefined) {
    throw new Error(`--losses: unknown loss '${requested}' (known: ${losses.names().join(', ')}; plugins with --plugin)`);
  }
  if (losses.has(requested) && losses.get(requested).kind === lossKind) return { applicable: true, loss: requested };
  if (form !== undefined) {
    if (losses.has(form) && losses.get(form).kind === lossKind) return { applicable: true, loss: form };
    return { applicable: false, reason: `the ${lossKind} form of ${requested} (${form}) is not registered` };
  }
  const kind: LossKind = losses.get(requested).kind;
  return { applicable: false, reason: `${requested} is a ${kind} loss; ${task.name} trains with ${lossKind} losses and no ${lossKind} form of it is known` };
}
