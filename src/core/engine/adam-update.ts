/**
 * One Adam / AdamW update of a parameter as a single op. Composed from tf ops it is 13 kernels
 * per parameter (104 for the reference CNN's 8, ~7 % of its step on wasm); backends that
 * register ADAM_UPDATE (wasm, with our SIMD kernels) do it in one pass. Both compute the same
 * float32 operations in the same order, so they agree bit for bit.
 */
import { tf } from '../tf';

/** Our kernel name: inputs p, g, m, v; attrs AdamUpdateAttrs; outputs [p', m', v']. */
export const ADAM_UPDATE = 'AslRunAdamUpdate';

/** The step's scalars; each enters the computation rounded to float32, as a tf scalar would. */
export interface AdamUpdateAttrs {
  /** Decoupled weight decay factor 1 − lr·wd applied to p first (AdamW); 1: none. */
  decay: number;
  /** L2 penalty wd·p added to the gradient (Adam's weight decay); 0: none. */
  l2: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** √(1 − β2^t): the second moment's bias correction. */
  secondMomentCorrection: number;
  /** lr / (1 − β1^t): the learning rate with the first moment's bias correction. */
  stepSize: number;
}

/** The update from ordinary tf ops (backends without ADAM_UPDATE, and its reference). */
export function composedAdamUpdate(p: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, a: AdamUpdateAttrs): [tf.Tensor, tf.Tensor, tf.Tensor] {
  return tf.tidy(() => {
    const decayed = a.decay !== 1 ? p.mul(a.decay) : p;
    const gradient = a.l2 !== 0 ? g.add(decayed.mul(a.l2)) : g;
    const m1 = m.mul(a.beta1).add(gradient.mul(1 - a.beta1));
    const v1 = v.mul(a.beta2).add(gradient.square().mul(1 - a.beta2));
    const denom = v1.sqrt().div(a.secondMomentCorrection).add(a.eps);
    return [decayed.sub(m1.div(denom).mul(a.stepSize)), m1, v1];
  });
}

/**
 * The updated parameter and moments [p', m', v'] (new tensors; the caller assigns them).
 * @param p, g, m, v tensors of one shape, float32
 */
export function adamUpdate(p: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, attrs: AdamUpdateAttrs): [tf.Tensor, tf.Tensor, tf.Tensor] {
  if (!tf.getKernel(ADAM_UPDATE, tf.getBackend())) return composedAdamUpdate(p, g, m, v, attrs);
  return tf.engine().runKernel(ADAM_UPDATE, { p, g, m, v }, attrs as unknown as tf.NamedAttrMap) as unknown as [tf.Tensor, tf.Tensor, tf.Tensor];
}
