/**
 * Builds a LossPlugin from a definition: defaults and parameter rules, and a function making the
 * loss body from validated parameters. Input checks, the `reduction` override, weights,
 * normalizer and tensor cleanup are done here once for every built-in loss.
 */
import { tf } from '../core/tf';
import type { Loss, LossComputeOptions, LossKind, LossParams, LossPlugin, Reduction } from './loss-plugin';
import { validateParams, type ParamRules } from './params';
import { checkReduction, reduceLoss, type LossBody } from './reduce';

/** Every built-in loss has a `reduction` parameter; options.reduction overrides it per call. */
export type BuiltinLossParams = LossParams & { reduction: Reduction };

/**
 * Makes the loss body for one call.
 * @param logits  [N, C] float32.
 * @param targets sigmoid: [N, C] float32; softmax: [N] int32.
 */
export type BodyFactory<P> = (params: P, logits: tf.Tensor2D, targets: tf.Tensor) => LossBody;

export interface LossDefinition<P extends BuiltinLossParams> {
  name: string;
  kind: LossKind;
  description: string;
  /** The same loss in the other kind (see LossPlugin.counterpart). */
  counterpart?: string;
  defaults: P;
  rules: ParamRules<P>;
  body: BodyFactory<P>;
}

function shapeOf(t: tf.Tensor): string {
  return `[${t.shape.join(', ')}]`;
}

/**
 * Checks logits and targets and brings sigmoid targets to float32.
 * @returns targets ready for the body: [N, C] float32 (sigmoid) or [N] int32 (softmax).
 */
function checkInputs(name: string, kind: LossKind, logits: unknown, targets: unknown): tf.Tensor {
  if (!(logits instanceof tf.Tensor)) throw new Error(`${name}: logits must be a tf.Tensor`);
  if (!(targets instanceof tf.Tensor)) throw new Error(`${name}: targets must be a tf.Tensor`);
  if (logits.rank !== 2) throw new Error(`${name}: logits must be rank 2 [N, C], got shape ${shapeOf(logits)}`);
  if (logits.dtype !== 'float32') throw new Error(`${name}: logits must be float32, got ${logits.dtype}`);
  const [n, c] = logits.shape;
  if (n < 1 || c < 1) throw new Error(`${name}: logits must have at least one sample and one class, got shape ${shapeOf(logits)}`);
  if (kind === 'sigmoid') {
    if (targets.rank !== 2 || targets.shape[0] !== n || targets.shape[1] !== c) {
      throw new Error(`${name}: targets must have the logits' shape [${n}, ${c}], got ${shapeOf(targets)}`);
    }
    if (targets.dtype === 'string' || targets.dtype === 'complex64') {
      throw new Error(`${name}: targets must be numeric (0/1 or soft), got ${targets.dtype}`);
    }
    return targets.dtype === 'float32' ? targets : tf.cast(targets, 'float32');
  }
  if (targets.rank !== 1 || targets.shape[0] !== n) {
    throw new Error(`${name}: targets must be class ids of shape [${n}], got ${shapeOf(targets)}`);
  }
  if (targets.dtype !== 'int32') throw new Error(`${name}: targets must be int32 class ids, got ${targets.dtype}`);
  return targets;
}

export function defineLoss<P extends BuiltinLossParams>(def: LossDefinition<P>): LossPlugin<P> {
  const validate = (params: Partial<LossParams>): P => validateParams(def.name, def.defaults, def.rules, params);
  return {
    name: def.name,
    kind: def.kind,
    description: def.description,
    ...(def.counterpart ? { counterpart: def.counterpart } : {}),
    defaults: Object.freeze({ ...def.defaults }),
    validate,
    create(params: P): Loss {
      const checked = Object.freeze(validate(params));
      return {
        name: def.name,
        kind: def.kind,
        params: checked,
        compute(logits: tf.Tensor, targets: tf.Tensor, options: LossComputeOptions = {}): tf.Tensor {
          const reduction = options.reduction ?? checked.reduction;
          checkReduction(def.name, reduction);
          return tf.tidy(() => {
            const ready = checkInputs(def.name, def.kind, logits, targets);
            const lossShape = def.kind === 'sigmoid' ? logits.shape : [logits.shape[0]];
            const body = def.body(checked, logits as tf.Tensor2D, ready);
            return reduceLoss(def.name, body, lossShape, reduction, options);
          });
        },
      };
    },
  };
}
