/**
 * The check every task adapter makes of the losses it is given: the kind (sigmoid or softmax)
 * its outputs need, failing with one line that names the option which chose the loss.
 */
import type { Loss, LossKind } from '../../losses/loss-plugin';

/**
 * @param option how the user chose the loss, e.g. `--loss`
 * @param purpose what the loss would train, e.g. `the multilabel task`
 * @param hint appended to the message, e.g. which loss to use instead
 * @throws Error `<option> <name>: a <kind> loss cannot train <purpose>, which needs a <kind> loss<hint>`
 */
export function requireLossKind(loss: Loss, kind: LossKind, option: string, purpose: string, hint = ''): void {
  if (loss.kind !== kind) {
    throw new Error(`${option} ${loss.name}: a ${loss.kind} loss cannot train ${purpose}, which needs a ${kind} loss${hint}`);
  }
}
