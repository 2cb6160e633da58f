/**
 * Gradients of Sum and Mean without a tensor of ones. tfjs's own compute dy·ones(x.shape)
 * (÷ n for Mean), filling the ones in JavaScript on every step — 0.5 ms for a global average
 * pooling's 262K values on the reference CNN, plus a broadcasting multiply. Broadcasting dy
 * (÷ n first) gives the same values bit for bit: dy·1 is dy, and the division is the same
 * per element. Registered with the wasm kernels; correct on every backend (gradients are
 * registered per op, not per backend).
 */
import { tf } from '../tf';

/** dy reshaped to x's rank with 1 for each reduced axis. */
function expandedDy(dy: tf.Tensor, x: tf.Tensor, axis: number | number[]): tf.Tensor {
  const axes = tf.util.parseAxisParam(axis, x.shape);
  return tf.reshape(dy, x.shape.map((d, a) => (axes.includes(a) ? 1 : d)));
}

function reducedSize(x: tf.Tensor, axis: number | number[]): number {
  return tf.util.parseAxisParam(axis, x.shape).reduce((n, a) => n * x.shape[a], 1);
}

export const sumGradientConfig: tf.GradConfig = {
  kernelName: tf.Sum,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const { axis } = attrs as unknown as { axis: number | number[] };
    // float32 as tfjs's (its ones are float32 whatever x's dtype).
    return { x: () => tf.broadcastTo(tf.cast(expandedDy(dy as tf.Tensor, x, axis), 'float32'), x.shape) };
  },
};

export const meanGradientConfig: tf.GradConfig = {
  kernelName: tf.Mean,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const { axis } = attrs as unknown as { axis: number | number[] };
    return { x: () => tf.broadcastTo(tf.div(expandedDy(dy as tf.Tensor, x, axis), reducedSize(x, axis)), x.shape) };
  },
};
