/**
 * The YOLOX box loss on tensors: predicted box values decoded on the location grid (the
 * differentiable twin of decode.ts's host `yoloxCorners`), and YOLOX's default IOUloss,
 * 1 − IoU², on corner boxes. (giou.ts works on ltrb distances around a shared location, which
 * YOLOX's boxes need not contain: a centre-region candidate may lie outside its box.)
 */
import { tf } from '../../../../core/tf';
import type { LocationGrid } from '../../locations';
import { MAX_LOG_DISTANCE } from '../../box-coding';

/** Keeps the IoU of two empty boxes (all-zero targets of background rows) at 0, not 0/0. */
const UNION_EPS = 1e-7;

/**
 * @param box [B, L, 4] raw box values (dx, dy, log w, log h) in stride units, L = grid.count
 * @returns [B, L, 4] corners [x1, y1, x2, y2] in network pixels
 */
export function decodeBoxTensor(box: tf.Tensor3D, grid: LocationGrid): tf.Tensor3D {
  if (box.shape[1] !== grid.count || box.shape[2] !== 4) throw new Error(`decodeBoxTensor: boxes [${box.shape.join(', ')}] do not match [batch, ${grid.count}, 4]`);
  return tf.tidy(() => {
    const at = (values: Float32Array) => tf.tensor3d(values, [1, grid.count, 1]);
    const stride = at(grid.stride);
    const [dx, dy, logW, logH] = tf.split(box, 4, 2);
    const cx = tf.add(at(grid.x), tf.mul(dx, stride));
    const cy = tf.add(at(grid.y), tf.mul(dy, stride));
    const halfW = tf.mul(tf.exp(tf.minimum(logW, MAX_LOG_DISTANCE)), tf.div(stride, 2));
    const halfH = tf.mul(tf.exp(tf.minimum(logH, MAX_LOG_DISTANCE)), tf.div(stride, 2));
    return tf.concat([tf.sub(cx, halfW), tf.sub(cy, halfH), tf.add(cx, halfW), tf.add(cy, halfH)], 2) as tf.Tensor3D;
  });
}

/**
 * @param pred   [..., 4] corners
 * @param target [..., 4] corners, same shape
 * @returns [...] 1 − IoU² per box pair
 */
export function iouSquaredLoss(pred: tf.Tensor, target: tf.Tensor): tf.Tensor {
  if (pred.shape.join() !== target.shape.join() || pred.shape[pred.rank - 1] !== 4) {
    throw new Error(`iouSquaredLoss: boxes [${pred.shape.join(', ')}] and [${target.shape.join(', ')}] must both be [..., 4]`);
  }
  return tf.tidy(() => {
    const axis = pred.rank - 1;
    const [px1, py1, px2, py2] = tf.split(pred, 4, axis);
    const [tx1, ty1, tx2, ty2] = tf.split(target, 4, axis);
    const interW = tf.relu(tf.sub(tf.minimum(px2, tx2), tf.maximum(px1, tx1)));
    const interH = tf.relu(tf.sub(tf.minimum(py2, ty2), tf.maximum(py1, ty1)));
    const intersection = tf.mul(interW, interH);
    const predArea = tf.mul(tf.sub(px2, px1), tf.sub(py2, py1));
    const targetArea = tf.mul(tf.sub(tx2, tx1), tf.sub(ty2, ty1));
    const union = tf.add(tf.sub(tf.add(predArea, targetArea), intersection), UNION_EPS);
    const iou = tf.div(intersection, union);
    return tf.squeeze(tf.sub(1, tf.square(iou)), [axis]);
  });
}
