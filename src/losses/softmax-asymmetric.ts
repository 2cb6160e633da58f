/**
 * The softmax loss family in one fused op: the official `ASLSingleLabel` (focusing per class,
 * label smoothing), which with both gammas at 0 is torch's `CrossEntropyLoss(label_smoothing)`.
 *
 * Per sample, with log-probabilities l = log_softmax(x), p = exp(l), one-hot t of the class id:
 *   s   = t·(1 - ε) + ε/C                       (smoothed targets)
 *   u_c = |t_c - p_c|   (1 - p at the target, p elsewhere),  γ_c = γ+·t_c + γ-·(1 - t_c)
 *   w_c = u_c^γ_c       (never detached; w = 1 when both gammas are 0)
 *   loss = -Σ_c s_c·w_c·l_c
 * Gradient: with T_c = s_c·w_c·l_c and u_c' = du_c/dl_c = (1 - 2t_c)·p_c,
 *   H_c = dT_c/dl_c = s_c·w_c + γ_c·T_c·u_c'/u_c          (see focusing.ts for u = 0)
 *   dloss/dx_k = p_k·Σ_c H_c - H_k                        (log_softmax's Jacobian, δ_ck - p_k)
 */
import { tf } from '../core/tf';
import { focusingGradient } from './focusing';
import { fusedOp } from './fused-op';

export interface SoftmaxAsymmetricConfig {
  gammaPos: number;
  gammaNeg: number;
  /** Label smoothing ε in [0, 1]. */
  smoothing: number;
}

/**
 * @param classIds [N] int32 class ids in [0, C).
 * @param numClasses C.
 * @returns `(logits [N, C]) => loss`: the scalar sum over samples when `summed`, else [N].
 */
export function softmaxAsymmetricLossOp(
  config: SoftmaxAsymmetricConfig,
  classIds: tf.Tensor,
  numClasses: number,
  summed: boolean,
): (logits: tf.Tensor) => tf.Tensor {
  const { gammaPos, gammaNeg, smoothing } = config;
  const focusing = gammaPos > 0 || gammaNeg > 0;

  return fusedOp(
    (x) => {
      const logP = tf.logSoftmax(x);
      const p = tf.exp(logP);
      // One-hot by comparison with the class range: tf.oneHot rejects depth 1, a single class
      // (loss and gradient 0, as torch).
      const oneHot = tf.cast(tf.equal(tf.reshape(classIds, [-1, 1]), tf.range(0, numClasses, 1, 'int32')), 'float32');
      const smoothed = smoothing > 0 ? tf.add(tf.mul(oneHot, 1 - smoothing), smoothing / numClasses) : oneHot;
      let weight: tf.Tensor | undefined;
      let u: tf.Tensor | undefined;
      let gamma: tf.Tensor | number = gammaPos;
      if (focusing) {
        u = tf.abs(tf.sub(oneHot, p));
        if (gammaPos !== gammaNeg) gamma = tf.add(tf.mul(oneHot, gammaPos - gammaNeg), gammaNeg);
        weight = tf.pow(u, gamma);
      }
      const weightedTargets = weight ? tf.mul(smoothed, weight) : smoothed;
      const terms = tf.mul(weightedTargets, logP);
      const value = summed ? tf.neg(tf.sum(terms)) : tf.neg(tf.sum(terms, 1));
      return {
        value,
        saved: { p, weightedTargets, terms: focusing ? terms : undefined, oneHot: focusing ? oneHot : undefined, u, gamma: gamma instanceof tf.Tensor ? gamma : undefined },
      };
    },
    (dy, s) => {
      let termGrad = s.weightedTargets;
      if (s.oneHot && s.u && s.terms) {
        const uGrad = tf.sub(s.p, tf.mul(tf.mul(s.oneHot, 2), s.p));
        termGrad = tf.add(termGrad, focusingGradient(s.terms, uGrad, s.u, s.gamma ?? gammaPos));
      }
      const grad = tf.sub(tf.mul(s.p, tf.sum(termGrad, 1, true)), termGrad);
      return tf.mul(grad, dy.rank === 0 ? dy : tf.reshape(dy, [-1, 1]));
    },
  );
}
