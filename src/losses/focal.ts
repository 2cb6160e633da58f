/**
 * `focal` (and `focal-softmax`, at the end): the sigmoid focal loss of RetinaNet (Lin et al. 2017), as
 * `torchvision.ops.sigmoid_focal_loss`, with the closed-form gradient in one fused op:
 *   p = σ(x),  ce = BCE-with-logits(x, y),  u = 1 - pt = y·(1 - p) + (1 - y)·p
 *   loss = α_t·ce·u^γ,   α_t = α·y + (1 - α)·(1 - y)   (α < 0 disables it)
 * Gradient: ce' = p - y, u' = p(1 - p)·(1 - 2y), and
 *   loss' = α_t·(ce'·u^γ + γ·ce·u^γ·u'/u)      (see focusing.ts for u = 0)
 * The weight is never detached. Reduction 'sum' by default (RetinaNet divides by the number of
 * positives: pass it as options.normalizer).
 */
import { tf } from '../core/tf';
import { stableSoftplus } from './bce';
import { defineLoss, type BuiltinLossParams } from './define-loss';
import { focusingGradient } from './focusing';
import { fusedOp } from './fused-op';
import { REDUCTION_RULE } from './params';
import { softmaxAsymmetricLossOp } from './softmax-asymmetric';

export type FocalParams = BuiltinLossParams & {
  gamma: number;
  /** Weight of the positives in [0, 1]; a negative value disables the α weighting. */
  alpha: number;
};

/**
 * @param targets [N, C] float32 in [0, 1] (soft targets allowed).
 * @returns `(logits [N, C]) => loss`: the scalar sum when `summed`, else [N, C].
 */
export function focalLossOp({ gamma, alpha }: FocalParams, targets: tf.Tensor, summed: boolean): (logits: tf.Tensor) => tf.Tensor {
  const y = targets;
  return fusedOp(
    (x) => {
      const p = tf.sigmoid(x);
      const ce = tf.sub(stableSoftplus(x), tf.mul(x, y));
      let q: tf.Tensor | undefined;
      let u: tf.Tensor | undefined;
      let w: tf.Tensor | undefined;
      let term = ce;
      if (gamma > 0) {
        q = tf.sub(1, p);
        u = tf.add(tf.mul(y, q), tf.mul(tf.sub(1, y), p));
        w = tf.pow(u, gamma);
        term = tf.mul(ce, w);
      }
      const alphaT = alpha >= 0 ? tf.add(tf.mul(y, 2 * alpha - 1), 1 - alpha) : undefined;
      const loss = alphaT ? tf.mul(alphaT, term) : term;
      return { value: summed ? tf.sum(loss) : loss, saved: { p, y, q, u, w, term: w ? term : undefined, alphaT } };
    },
    (dy, s) => {
      const ceGrad = tf.sub(s.p, s.y);
      let grad = ceGrad;
      if (s.q && s.u && s.w && s.term) {
        const uGrad = tf.mul(tf.mul(s.p, s.q), tf.sub(1, tf.mul(s.y, 2)));
        grad = tf.add(tf.mul(ceGrad, s.w), focusingGradient(s.term, uGrad, s.u, gamma));
      }
      return tf.mul(dy, s.alphaT ? tf.mul(grad, s.alphaT) : grad);
    },
  );
}

export const focalPlugin = defineLoss<FocalParams>({
  name: 'focal',
  counterpart: 'focal-softmax',
  kind: 'sigmoid',
  description: 'Sigmoid focal loss (RetinaNet; torchvision sigmoid_focal_loss): gamma, alpha (< 0 disables)',
  defaults: { gamma: 2, alpha: 0.25, reduction: 'sum' },
  rules: {
    gamma: { type: 'number', min: 0 },
    alpha: { type: 'number', max: 1 },
    reduction: REDUCTION_RULE,
  },
  body: (params, logits, targets) => (summed) => focalLossOp(params, targets, summed)(logits),
});

export type SoftmaxFocalParams = BuiltinLossParams & { gamma: number };

/** Multi-class focal loss -(1 - p_t)^γ·log p_t: the softmax ASL with gammaNeg 0, no smoothing. */
export const softmaxFocalPlugin = defineLoss<SoftmaxFocalParams>({
  name: 'focal-softmax',
  kind: 'softmax',
  description: 'Softmax focal loss -(1 - p_t)^gamma·log p_t',
  defaults: { gamma: 2, reduction: 'mean' },
  rules: { gamma: { type: 'number', min: 0 }, reduction: REDUCTION_RULE },
  body: ({ gamma }, logits, classIds) => (summed) =>
    softmaxAsymmetricLossOp({ gammaPos: gamma, gammaNeg: 0, smoothing: 0 }, classIds, logits.shape[1], summed)(logits),
});
