/**
 * The piece of a focusing-weight gradient that the fused losses share. For a term
 * T = B·u^γ (B a base loss, u = 1 - pt), the part of T' that flows through the weight is
 *   B·γ·u^(γ-1)·u' = γ·T·u'/u.
 * Where u = 0 the probability pt is saturated at 1, so u' = 0 and the product is 0; clamping u
 * away from 0 keeps it finite and 0 there. torch's pow gradient also gives 0 there for γ = 0
 * and γ > 1 (NaN for 0 < γ < 1), and TF.js's pow gradient gives NaN at base 0 with exponent 0.
 */
import { tf } from '../core/tf';

/** Floor for u in the division u'/u (a normal float32 number). */
const U_FLOOR = 1e-30;

/**
 * @param term  T = B·u^γ, any shape.
 * @param uGrad u' (same shape).
 * @param u     u >= 0 (same shape).
 * @param gamma γ, a number or a tensor of the same shape.
 * @returns γ·T·u'/max(u, 1e-30).
 */
export function focusingGradient(term: tf.Tensor, uGrad: tf.Tensor, u: tf.Tensor, gamma: number | tf.Tensor): tf.Tensor {
  return tf.mul(tf.div(tf.mul(term, uGrad), tf.clipByValue(u, U_FLOOR, 1)), gamma);
}
