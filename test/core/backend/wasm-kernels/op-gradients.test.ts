/**
 * The gradients a ResNet / MobileNet / FPN-style network needs, taken on wasm (stock kernels plus
 * ours) and compared with the cpu backend; then a small convolutional net's full variable gradient.
 */
import { tf } from '../../../../src/core/tf';
import { initBackend } from '../../../../src/core/backend/init';
import { expectWasmMatches, expectWasmMatchesCpu, randomTensor } from './cpu-oracle';

type Op = (x: tf.Tensor4D) => tf.Tensor;

/** x is [2, 6, 6, 4]; each op's output is reduced against fixed random weights. */
const OPS: Record<string, Op> = {
  conv2d: (x) => tf.conv2d(x, randomTensor([3, 3, 4, 3], 31) as tf.Tensor4D, 2, 'same'),
  depthwiseConv2d: (x) => tf.depthwiseConv2d(x, randomTensor([3, 3, 4, 2], 32) as tf.Tensor4D, 1, 'same'),
  conv2dTranspose: (x) => tf.conv2dTranspose(x, randomTensor([3, 3, 2, 4], 33) as tf.Tensor4D, [2, 12, 12, 2], 2, 'same'),
  fusedConv2dBiasRelu: (x) =>
    tf.fused.conv2d({ x, filter: randomTensor([3, 3, 4, 3], 34) as tf.Tensor4D, strides: 1, pad: 'same', bias: tf.ones([3]), activation: 'relu' }),
  batchNorm: (x) => tf.batchNorm(x, tf.mean(x, [0, 1, 2]), tf.moments(x, [0, 1, 2]).variance, tf.fill([4], 0.3), tf.fill([4], 1.5), 1e-3),
  groupNorm: (x) => {
    const grouped = tf.reshape(x, [2, 6, 6, 2, 2]);
    const { mean, variance } = tf.moments(grouped, [1, 2, 4], true);
    return tf.reshape(tf.div(tf.sub(grouped, mean), tf.sqrt(tf.add(variance, 1e-5))), [2, 6, 6, 4]);
  },
  relu: (x) => tf.relu(x),
  relu6: (x) => tf.relu6(tf.mul(x, 8)),
  sigmoid: (x) => tf.sigmoid(x),
  swish: (x) => tf.mul(x, tf.sigmoid(x)),
  tanh: (x) => tf.tanh(x),
  elu: (x) => tf.elu(x),
  leakyRelu: (x) => tf.leakyRelu(x, 0.1),
  add: (x) => tf.add(x, tf.mul(x, tf.ones([4]))),
  mean: (x) => tf.mean(x, [1, 2]),
  maxPool: (x) => tf.maxPool(x, 3, 2, 'same'),
  maxPoolAfterRelu: (x) => tf.maxPool(tf.relu(x), 2, 2, 'valid'),
  avgPool: (x) => tf.avgPool(x, 2, 2, 'valid'),
  avgPoolSame: (x) => tf.avgPool(x, 3, 2, 'same'),
  matMul: (x) => tf.matMul(tf.reshape(x, [-1, 4]), randomTensor([4, 3], 35) as tf.Tensor2D),
  resizeBilinear: (x) => tf.image.resizeBilinear(x, [12, 12]),
  resizeBilinearAlignCorners: (x) => tf.image.resizeBilinear(x, [11, 11], true),
  resizeBilinearHalfPixel: (x) => tf.image.resizeBilinear(x, [9, 13], false, true),
  concat: (x) => tf.concat([x, tf.mul(x, 2)], 3),
  pad: (x) => tf.pad(x, [[0, 0], [1, 1], [2, 0], [0, 0]]),
  slice: (x) => tf.slice(x, [0, 1, 1, 0], [2, 3, 3, 4]),
  gather: (x) => tf.gather(x, tf.tensor1d([0, 2, 2, 5], 'int32'), 1),
  softmax: (x) => tf.softmax(x),
  logSoftmax: (x) => tf.logSoftmax(x),
  exp: (x) => tf.exp(x),
  log: (x) => tf.log(tf.add(tf.abs(x), 1)),
  sqrt: (x) => tf.sqrt(tf.add(tf.abs(x), 1)),
  pow: (x) => tf.pow(tf.add(tf.abs(x), 1), 2.5),
  clipByValue: (x) => tf.clipByValue(x, -0.5, 0.5),
  maximum: (x) => tf.maximum(x, 0.1),
  tile: (x) => tf.tile(x, [1, 2, 1, 1]),
  transpose: (x) => tf.transpose(x, [0, 3, 1, 2]),
  stackUnstack: (x) => tf.stack(tf.unstack(x, 1).reverse(), 1),
  max: (x) => tf.max(x, 3),
  logSumExp: (x) => tf.logSumExp(x, 3),
};

describe('gradients of network ops on wasm match cpu', () => {
  beforeAll(() => initBackend('wasm'));

  it.each(Object.entries(OPS))('%s', async (_name, op) => {
    await expectWasmMatchesCpu(() => {
      const x = tf.mul(randomTensor([2, 6, 6, 4], 30), 2) as tf.Tensor4D;
      const probe = randomTensor(op(x).shape, 36);
      return tf.grad((input: tf.Tensor) => tf.sum(tf.mul(op(input as tf.Tensor4D), probe)))(x);
    });
  });

  it('resizeNearestNeighbor (x2), against a stack-based reference: the cpu kernel is wrong for batch > 1', async () => {
    const gradient = (upsample: (x: tf.Tensor4D) => tf.Tensor) => () => {
      const probe = randomTensor([2, 12, 12, 4], 37);
      return tf.grad((x: tf.Tensor) => tf.sum(tf.mul(upsample(x as tf.Tensor4D), probe)))(randomTensor([2, 6, 6, 4], 38));
    };
    const viaStack = (x: tf.Tensor4D) => {
      const rowsDoubled = tf.reshape(tf.stack([x, x], 2), [2, 12, 6, 4]);
      return tf.reshape(tf.stack([rowsDoubled, rowsDoubled], 3), [2, 12, 12, 4]);
    };
    await expectWasmMatches(gradient(viaStack), gradient((x) => tf.image.resizeNearestNeighbor(x, [12, 12])));
  });

  it('gives a 2-conv net with batch norm the cpu variable gradients', async () => {
    const seeds = { conv1: 41, conv2: 42, dense: 43, gamma: 44, beta: 45 };
    await expectWasmMatchesCpu(() => {
      const variables = {
        conv1: tf.variable(randomTensor([3, 3, 3, 8], seeds.conv1), true, 'conv1'),
        conv2: tf.variable(randomTensor([3, 3, 8, 6], seeds.conv2), true, 'conv2'),
        gamma: tf.variable(tf.add(randomTensor([8], seeds.gamma), 1.5), true, 'gamma'),
        beta: tf.variable(randomTensor([8], seeds.beta), true, 'beta'),
        dense: tf.variable(randomTensor([6, 5], seeds.dense), true, 'dense'),
      };
      const images = randomTensor([4, 13, 13, 3], 46) as tf.Tensor4D;
      const labels = tf.oneHot(tf.tensor1d([0, 3, 4, 1], 'int32'), 5);
      const { grads } = tf.variableGrads(() => {
        const h1 = tf.conv2d(images, variables.conv1 as tf.Tensor4D, 2, 'same');
        const { mean, variance } = tf.moments(h1, [0, 1, 2]);
        const normed = tf.relu(tf.batchNorm(h1, mean, variance, variables.beta, variables.gamma, 1e-3));
        const h2 = tf.relu(tf.conv2d(normed as tf.Tensor4D, variables.conv2 as tf.Tensor4D, 1, 'valid'));
        const logits = tf.matMul(tf.mean(h2, [1, 2]) as tf.Tensor2D, variables.dense as tf.Tensor2D);
        return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
      }, Object.values(variables));
      const ordered = Object.values(variables).map((v) => grads[v.name]);
      tf.dispose(Object.values(variables));
      return ordered;
    });
  });
});
