/**
 * Asymmetric Loss (Ben-Baruch, Ridnik et al., ICCV 2021), as the official `AsymmetricLoss` and
 * `AsymmetricLossOptimized` compute it, with the closed-form gradient in one fused op.
 *
 * Per element, with logit x, target y in [0, 1], p = sigmoid(x):
 *   q  = min(1 - p + clip, 1)  (probability shifting; q = 1 - p when clip = 0)
 *   B  = y·log(max(p, eps)) + (1 - y)·log(max(q, eps))     (eps clamps inside the log only)
 *   u  = 1 - pt = y·(1 - p) + (1 - y)·(1 - q),   γ = γ+·y + γ-·(1 - y)
 *   loss = -B · u^γ          (-B alone when both gammas are 0)
 * With `detachFocusing` the weight u^γ is a constant for the gradient (the paper's
 * `disable_torch_grad_focal_loss`).
 *
 * Gradient, with p' = p(1 - p), v = 1 - q = max(p - clip, 0):
 *   log(max(p, eps))' = (1 - p)·[p > eps]
 *   v'                = p'·[p > clip]              (q is clamped at 1 below that)
 *   log(max(q, eps))' = -v'/max(q, eps)·[q > eps]
 *   u'                = (1 - y)·v' - y·p'
 *   (u^γ)'            = γ·u^γ·u'/u, taken as 0 where u = 0 (see focusing.ts)
 *   loss'             = -(B'·u^γ + [not detached]·B·(u^γ)')
 */
import { tf } from '../core/tf';
import { defineLoss, type BuiltinLossParams } from './define-loss';
import { focusingGradient } from './focusing';
import { fusedOp } from './fused-op';
import { REDUCTION_RULE, type ParamRules } from './params';

export type AslParams = BuiltinLossParams & {
  gammaNeg: number;
  gammaPos: number;
  clip: number;
  eps: number;
  detachFocusing: boolean;
  /**
   * Adaptive asymmetry (the paper's section on it): during training, the task moves gammaNeg by
   * gammaNegStep · (gapTarget − Δp) after every step, Δp being the probability gap measured on the
   * training batches. The loss itself reads only gammaNeg; see src/tasks/multilabel/adaptive-asymmetry.ts.
   */
  adaptive: boolean;
  gapTarget: number;
  gammaNegStep: number;
};

/** Smallest positive value of 1 - p in float32 (p just below 1): a clip-free q is 0 or at least this. */
const FLOAT32_ONE_MINUS_ULP = 2 ** -24;

/**
 * Elementwise ASL with its closed-form gradient.
 * @param targets [N, C] float32 in [0, 1] (soft targets allowed).
 * @returns `(logits [N, C]) => loss`: the scalar sum when `summed`, else [N, C].
 */
export function asymmetricLossOp(params: AslParams, targets: tf.Tensor, summed: boolean): (logits: tf.Tensor) => tf.Tensor {
  const { gammaPos, gammaNeg, clip, eps, detachFocusing } = params;
  const focusing = gammaPos > 0 || gammaNeg > 0;
  // q >= clip, so the eps clamp on q can only bite when clip <= eps; without clip, q is 0 (with a
  // zero gradient anyway) or >= 2^-24.
  const qMayBeClamped = clip > 0 ? clip <= eps : eps >= FLOAT32_ONE_MINUS_ULP;
  const y = targets;

  return fusedOp(
    (x) => {
      const p = tf.sigmoid(x);
      const q0 = tf.sub(1, p);
      const logP = tf.log(tf.clipByValue(p, eps, 1));
      const qShifted = clip > 0 ? tf.add(q0, clip) : q0;
      const qClamped = tf.clipByValue(qShifted, eps, 1);
      const logQ = tf.log(qClamped);
      const yNeg = tf.sub(1, y);
      const base = tf.add(tf.mul(y, logP), tf.mul(yNeg, logQ));
      let logLikelihood = base;
      let w: tf.Tensor | undefined;
      let u: tf.Tensor | undefined;
      let gamma: tf.Tensor | number = gammaPos;
      const pMinusClip = clip > 0 ? tf.sub(p, clip) : undefined;
      if (focusing) {
        const v = pMinusClip ? tf.relu(pMinusClip) : p;
        u = tf.add(tf.mul(y, q0), tf.mul(yNeg, v));
        if (gammaPos !== gammaNeg) gamma = tf.add(tf.mul(y, gammaPos - gammaNeg), gammaNeg);
        w = tf.pow(u, gamma);
        logLikelihood = tf.mul(base, w);
      }
      const value = summed ? tf.neg(tf.sum(logLikelihood)) : tf.neg(logLikelihood);
      const withFocusGrad = focusing && !detachFocusing;
      return {
        value,
        saved: {
          p, q0, y, yNeg, qClamped, pMinusClip, w,
          qShifted: qMayBeClamped ? qShifted : undefined,
          u: withFocusGrad ? u : undefined,
          logLikelihood: withFocusGrad ? logLikelihood : undefined,
          gamma: withFocusGrad && gamma instanceof tf.Tensor ? gamma : undefined,
        },
      };
    },
    (dy, s) => {
      const pGrad = tf.mul(s.p, s.q0);
      const logPGrad = tf.mul(s.q0, tf.step(tf.sub(s.p, eps)));
      const vGrad = s.pMinusClip ? tf.mul(pGrad, tf.step(s.pMinusClip)) : pGrad;
      let minusLogQGrad = tf.div(vGrad, s.qClamped);
      if (s.qShifted) minusLogQGrad = tf.mul(minusLogQGrad, tf.step(tf.sub(s.qShifted, eps)));
      const baseGrad = tf.sub(tf.mul(s.y, logPGrad), tf.mul(s.yNeg, minusLogQGrad));
      let grad = s.w ? tf.mul(baseGrad, s.w) : baseGrad;
      if (s.u && s.logLikelihood) {
        const uGrad = tf.sub(tf.mul(s.yNeg, vGrad), tf.mul(s.y, pGrad));
        grad = tf.add(grad, focusingGradient(s.logLikelihood, uGrad, s.u, s.gamma ?? gammaPos));
      }
      return tf.mul(tf.neg(dy), grad);
    },
  );
}

const ASL_RULES: ParamRules<AslParams> = {
  gammaNeg: { type: 'number', min: 0 },
  gammaPos: { type: 'number', min: 0 },
  clip: { type: 'number', min: 0, max: 1, maxOpen: true },
  eps: { type: 'number', min: 0, max: 1, minOpen: true, maxOpen: true },
  detachFocusing: { type: 'boolean' },
  adaptive: { type: 'boolean' },
  gapTarget: { type: 'number', min: -1, max: 1 },
  gammaNegStep: { type: 'number', min: 0 },
  reduction: REDUCTION_RULE,
};

/** The two reference classes differ only in whether the focusing weight is detached by default. */
function aslVariant(name: string, detachFocusing: boolean, description: string) {
  return defineLoss<AslParams>({
    name,
    kind: 'sigmoid',
    description,
    defaults: { gammaNeg: 4, gammaPos: 1, clip: 0.05, eps: 1e-8, detachFocusing, adaptive: false, gapTarget: 0.1, gammaNegStep: 0.01, reduction: 'sum' },
    rules: ASL_RULES,
    body: (params, logits, targets) => (summed) => asymmetricLossOp(params, targets, summed)(logits),
  });
}

export const aslPlugin = aslVariant(
  'asl',
  true,
  'Asymmetric Loss (multi-label): focusing gammaNeg/gammaPos, probability shifting by clip; weight detached (AsymmetricLoss)',
);

export const aslOptimizedPlugin = aslVariant(
  'asl-optimized',
  false,
  'Asymmetric Loss as AsymmetricLossOptimized: same loss, gradient also flows through the focusing weight',
);
