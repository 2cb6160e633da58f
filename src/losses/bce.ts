/**
 * Binary cross-entropy from logits, as torch's `BCEWithLogitsLoss`:
 *   loss = -[y·log σ(x) + (1 - y)·log(1 - σ(x))] = softplus(x) - x·y,   loss' = σ(x) - y
 * computed stably (no eps clamp) with the closed-form gradient in one fused op. softplus(x) is
 * taken as relu(x) - log σ(|x|): on wasm that is twice as fast as the Softplus kernel (its
 * sigmoid is SIMD, its softplus is not).
 * Its default reduction is 'sum', like ASL's, so that ASL with both gammas and clip at 0 equals
 * this loss (up to ASL's eps clamp for |x| > 18).
 */
import { tf } from '../core/tf';
import { defineLoss, type BuiltinLossParams } from './define-loss';
import { fusedOp } from './fused-op';
import { REDUCTION_RULE } from './params';

export type BceParams = BuiltinLossParams;

/** log(1 + e^x), elementwise, without overflow; same shape as x. */
export function stableSoftplus(x: tf.Tensor): tf.Tensor {
  return tf.sub(tf.relu(x), tf.log(tf.sigmoid(tf.abs(x))));
}

/**
 * @param targets [N, C] float32 in [0, 1] (soft targets allowed).
 * @returns `(logits [N, C]) => loss`: the scalar sum when `summed`, else [N, C].
 */
export function bceOp(targets: tf.Tensor, summed: boolean): (logits: tf.Tensor) => tf.Tensor {
  return fusedOp(
    (x) => {
      const loss = tf.sub(stableSoftplus(x), tf.mul(x, targets));
      return { value: summed ? tf.sum(loss) : loss, saved: { x, targets } };
    },
    (dy, s) => tf.mul(dy, tf.sub(tf.sigmoid(s.x), s.targets)),
  );
}

export const bcePlugin = defineLoss<BceParams>({
  name: 'bce',
  counterpart: 'ce',
  kind: 'sigmoid',
  description: 'Binary cross-entropy from logits (BCEWithLogitsLoss), numerically stable',
  defaults: { reduction: 'sum' },
  rules: { reduction: REDUCTION_RULE },
  body: (_params, logits, targets) => (summed) => bceOp(targets, summed)(logits),
});
