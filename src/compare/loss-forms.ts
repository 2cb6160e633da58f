/**
 * Which loss a `--losses` name trains with on each task. A task trains with one kind of loss
 * (sigmoid: multi-hot targets; softmax: one class id), and several losses come in a sigmoid and a
 * softmax form. A name is never silently swapped for an unrelated loss: it is used as is when
 * its kind fits, else through its documented pair below, else the cell is reported as n/a.
 *
 * | --losses name        | sigmoid tasks (multilabel, detection) | softmax task (singlelabel)           |
 * |----------------------|---------------------------------------|--------------------------------------|
 * | asl, asl-single-label | asl                                  | asl-single-label                     |
 * | bce, ce              | bce                                   | ce                                   |
 * | focal, focal-softmax | focal                                 | focal-softmax (n/a if not registered) |
 * | any other loss       | itself if sigmoid, else n/a           | itself if softmax, else n/a          |
 */
import type { LossKind } from '../losses/loss-plugin';
import type { LossRegistry } from '../core/registry/loss-registry';

export interface TaskTraits {
  /** The kind of loss the task's head is trained with. */
  lossKind: LossKind;
  /** Headline metric of the task (higher is better), as in its evaluation output. */
  primaryMetric: string;
}

/** What compare needs to know about each task (the task adapters say the same at run time). */
export const TASK_TRAITS: Readonly<Record<string, TaskTraits>> = {
  multilabel: { lossKind: 'sigmoid', primaryMetric: 'mAP' },
  singlelabel: { lossKind: 'softmax', primaryMetric: 'top1' },
  detection: { lossKind: 'sigmoid', primaryMetric: 'AP' },
};

/** One loss in its two forms; either name in `--losses` selects the pair. */
export interface LossPair {
  sigmoid: string;
  softmax: string;
}

export const LOSS_PAIRS: readonly LossPair[] = [
  { sigmoid: 'asl', softmax: 'asl-single-label' },
  { sigmoid: 'bce', softmax: 'ce' },
  { sigmoid: 'focal', softmax: 'focal-softmax' },
];

export type LossChoice = { applicable: true; loss: string } | { applicable: false; reason: string };

export function taskTraits(task: string): TaskTraits {
  const traits = TASK_TRAITS[task];
  if (!traits) throw new Error(`--tasks: compare does not know task '${task}' (known: ${Object.keys(TASK_TRAITS).join(', ')})`);
  return traits;
}

/**
 * The registered loss that `requested` means on `task`, or why there is none.
 * @throws Error when `requested` is neither registered nor one of the documented pairs.
 */
export function chooseLoss(requested: string, task: string, losses: LossRegistry): LossChoice {
  const { lossKind } = taskTraits(task);
  const pair = LOSS_PAIRS.find((p) => p.sigmoid === requested || p.softmax === requested);
  if (!losses.has(requested) && !pair) {
    throw new Error(`--losses: unknown loss '${requested}' (known: ${losses.names().join(', ')}; plugins with --plugin)`);
  }
  if (losses.has(requested) && losses.get(requested).kind === lossKind) return { applicable: true, loss: requested };
  if (pair) {
    const form = pair[lossKind];
    if (losses.has(form) && losses.get(form).kind === lossKind) return { applicable: true, loss: form };
    return { applicable: false, reason: `the ${lossKind} form of ${requested} (${form}) is not registered` };
  }
  const kind = losses.get(requested).kind;
  return { applicable: false, reason: `${requested} is a ${kind} loss; ${task} trains with ${lossKind} losses and no ${lossKind} form of it is known` };
}
