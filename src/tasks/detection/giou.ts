/**
 * Generalized IoU loss (Rezatofighi et al. 2019) on boxes given as ltrb distances from a shared
 * location, as FCOS's IOULoss('giou') computes it: with both boxes around the same point, the
 * intersection is (min l + min r) x (min t + min b) and the smallest enclosing box
 * (max l + max r) x (max t + max b).
 */
import { tf } from '../../core/tf';

/** Keeps 0/0 at bay for boxes of zero area (e.g. the all-zero targets of negatives). */
const AREA_EPS = 1e-7;

/**
 * @param pred   [N, 4] predicted distances l, t, r, b (>= 0)
 * @param target [N, 4] target distances in the same unit
 * @returns [N] 1 - GIoU per row
 */
export function giouLoss(pred: tf.Tensor2D, target: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const [pl, pt, pr, pb] = tf.split(pred, 4, 1);
    const [tl, tt, tr, tb] = tf.split(target, 4, 1);
    const predArea = tf.mul(tf.add(pl, pr), tf.add(pt, pb));
    const targetArea = tf.mul(tf.add(tl, tr), tf.add(tt, tb));
    const interW = tf.add(tf.minimum(pl, tl), tf.minimum(pr, tr));
    const interH = tf.add(tf.minimum(pt, tt), tf.minimum(pb, tb));
    const intersection = tf.mul(interW, interH);
    const union = tf.add(tf.sub(tf.add(predArea, targetArea), intersection), AREA_EPS);
    const enclosing = tf.add(tf.mul(tf.add(tf.maximum(pl, tl), tf.maximum(pr, tr)), tf.add(tf.maximum(pt, tt), tf.maximum(pb, tb))), AREA_EPS);
    const giou = tf.sub(tf.div(intersection, union), tf.div(tf.sub(enclosing, union), enclosing));
    return tf.reshape(tf.sub(1, giou), [-1]) as tf.Tensor1D;
  });
}
