import { tf } from '../../src/core/tf';
import { initBackend } from '../../src/core/backend/init';
import { BatchNormalization } from '../../src/backbones/batch-norm';
import { registerCustomLayers } from '../../src/backbones/custom-layers';
import { runTfjsCheck, TESTED_TFJS } from '../../src/core/backend/compat';
import { expectClose, roundTrip, seededValues } from './helpers';

interface Outcome {
  y: Float32Array;
  grads: Float32Array[];
  movingMean: Float32Array;
  movingVariance: Float32Array;
}

/**
 * One training call of `layer` on x, the gradient of Σ y·w with respect to x, γ and β, and the
 * moving statistics it leaves; no tensor left behind.
 */
function trainOnce(layer: tf.layers.Layer, shape: number[], seed: number): Outcome {
  const before = tf.memory().numTensors;
  const channels = shape[shape.length - 1];
  layer.build(shape);
  tf.tidy(() => layer.setWeights([
    tf.tensor1d(seededValues(channels, seed + 1, 0.5, 1)), // γ
    tf.tensor1d(seededValues(channels, seed + 2, 0.5)), // β
    tf.tensor1d(seededValues(channels, seed + 3, 0.1)), // moving mean
    tf.tensor1d(seededValues(channels, seed + 4, 0.2, 1)), // moving variance
  ]));
  const [gamma, beta] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
  const x = tf.tensor(seededValues(shape.reduce((a, b) => a * b), seed, 2, 0.3), shape);
  const w = tf.tensor(seededValues(shape.reduce((a, b) => a * b), seed + 5), shape);
  let y: Float32Array | undefined;
  const grads = tf.tidy(() => {
    const { grads: g } = tf.variableGrads(() => {
      const out = layer.apply(x, { training: true }) as tf.Tensor;
      y = out.dataSync() as Float32Array;
      return tf.sum(tf.mul(out, w)) as tf.Scalar;
    }, [gamma, beta]);
    const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input, { training: true }) as tf.Tensor, w)))(x);
    return [dx, g[gamma.name], g[beta.name]].map((t) => t.dataSync() as Float32Array);
  });
  const [movingMean, movingVariance] = layer.getWeights().slice(2).map((t) => t.dataSync() as Float32Array);
  tf.dispose([x, w]);
  layer.weights.forEach((v) => v.dispose()); // applied eagerly only, so Layer.dispose refuses
  expect(tf.memory().numTensors).toBe(before);
  return { y: y!, grads, movingMean, movingVariance };
}

describe('BatchNormalization with the closed-form training gradient', () => {
  beforeAll(() => registerCustomLayers());

  // Oracle: tfjs-layers' own layer, whose gradient autodiff derives through the moments.
  it.each([
    ['cpu', [4, 5, 6, 8]],
    ['cpu', [16, 8]],
    ['wasm', [8, 9, 7, 16]],
    ['wasm', [3, 2, 2, 5]],
  ] as const)('equals tfjs-layers BatchNormalization on %s, input %j: output, dx, dγ, dβ, moving statistics', async (backend, shape) => {
    await initBackend(backend);
    const args = { momentum: 0.9, epsilon: 1e-3 };
    const ours = trainOnce(new BatchNormalization(args), [...shape], 7);
    const reference = trainOnce(tf.layers.batchNormalization(args), [...shape], 7);
    expectClose(ours.y, reference.y, 1e-5);
    ours.grads.forEach((g, i) => expectClose(g, reference.grads[i], 2e-4));
    expectClose(ours.movingMean, reference.movingMean, 1e-6);
    expectClose(ours.movingVariance, reference.movingVariance, 1e-6);
  });

  it('predicts with the moving statistics exactly as tfjs-layers does', async () => {
    await initBackend('cpu');
    const shape = [2, 3, 3, 4];
    const outputs = [new BatchNormalization({}), tf.layers.batchNormalization({})].map((layer) => {
      layer.build(shape);
      tf.tidy(() => layer.setWeights([0, 1, 2, 3].map((k) => tf.tensor1d(seededValues(4, k, 0.5, 1)))));
      const y = tf.tidy(() => (layer.apply(tf.tensor(seededValues(72, 9), shape)) as tf.Tensor).dataSync());
      layer.weights.forEach((v) => v.dispose());
      return y;
    });
    expect(Array.from(outputs[0])).toEqual(Array.from(outputs[1]));
  });

  it('keeps the class name, so saved models load either way', async () => {
    await initBackend('cpu');
    const input = tf.input({ shape: [4, 4, 3] });
    const stock = tf.model({ inputs: input, outputs: tf.layers.batchNormalization({ name: 'bn' }).apply(input) as tf.SymbolicTensor });
    const loaded = await roundTrip(stock);
    expect(loaded.getLayer('bn')).toBeInstanceOf(BatchNormalization);
    expect(loaded.getLayer('bn').getClassName()).toBe('BatchNormalization');
    const x = tf.ones([1, 4, 4, 3]);
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((stock.predict(x) as tf.Tensor).dataSync()));
    tf.dispose(x);
  });

  it('trains exactly as tfjs-layers does when the compatibility guard finds an untested tfjs-layers', async () => {
    await initBackend('cpu');
    const args = { momentum: 0.9, epsilon: 1e-3 };
    const shape = [4, 5, 6, 8];
    const bits = (outcome: Outcome) => [outcome.y, ...outcome.grads, outcome.movingMean, outcome.movingVariance].map((a) => Buffer.from(a.buffer).toString('hex'));
    const reference = bits(trainOnce(tf.layers.batchNormalization(args), shape, 7));
    // The closed form's rounding differs from autodiff's, so bit equality shows which branch ran.
    expect(bits(trainOnce(new BatchNormalization(args), shape, 7))).not.toEqual(reference);
    try {
      runTfjsCheck({ ...TESTED_TFJS, versions: { ...TESTED_TFJS.versions, 'tfjs-layers': '4.23.0' } });
      expect(bits(trainOnce(new BatchNormalization(args), shape, 7))).toEqual(reference);
    } finally {
      runTfjsCheck();
    }
  });
});
