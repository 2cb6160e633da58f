import { tf } from '../../src/core/tf';
import { initBackend } from '../../src/core/backend/init';
import { GroupNormalization } from '../../src/backbones/group-norm';
import { registerCustomLayers } from '../../src/backbones/custom-layers';
import { expectClose, roundTrip, seededValues } from './helpers';

/** Independent float64 group norm on a flat NHWC-style array [n, positions, channels]. */
function groupNormOracle(x: number[], shape: number[], groups: number, gamma: number[], beta: number[], eps: number): number[] {
  const n = shape[0];
  const c = shape[shape.length - 1];
  const positions = x.length / (n * c);
  const perGroup = c / groups;
  const out = new Array<number>(x.length);
  for (let b = 0; b < n; b++) {
    for (let g = 0; g < groups; g++) {
      const idx: number[] = [];
      for (let p = 0; p < positions; p++) for (let k = 0; k < perGroup; k++) idx.push((b * positions + p) * c + g * perGroup + k);
      const mean = idx.reduce((s, i) => s + x[i], 0) / idx.length;
      const variance = idx.reduce((s, i) => s + (x[i] - mean) ** 2, 0) / idx.length;
      for (const i of idx) out[i] = ((x[i] - mean) / Math.sqrt(variance + eps)) * gamma[i % c] + beta[i % c];
    }
  }
  return out;
}

function layerWithWeights(shape: number[], groups: number, gamma: number[], beta: number[], eps = 1e-5): GroupNormalization {
  const layer = new GroupNormalization({ groups, epsilon: eps });
  layer.build([null, ...shape.slice(1)]);
  tf.tidy(() => layer.setWeights([tf.tensor1d(gamma), tf.tensor1d(beta)]));
  return layer;
}

describe('GroupNormalization', () => {
  beforeAll(async () => {
    await initBackend('cpu');
    registerCustomLayers();
    registerCustomLayers(); // idempotent
  });

  it.each([
    { shape: [2, 3, 4, 8], groups: 4 },
    { shape: [2, 5, 6], groups: 3 },
    { shape: [3, 6], groups: 2 },
    { shape: [1, 2, 2, 4], groups: 1 },
  ])('matches a float64 oracle for input $shape with $groups groups', ({ shape, groups }) => {
    const c = shape[shape.length - 1];
    const x = seededValues(shape.reduce((a, b) => a * b, 1), 1, 3, 2);
    const gamma = seededValues(c, 2, 1, 1);
    const beta = seededValues(c, 3, 1, 0);
    const layer = layerWithWeights(shape, groups, gamma, beta);
    const before = tf.memory().numTensors;
    const y = tf.tidy(() => (layer.apply(tf.tensor(x, shape)) as tf.Tensor).dataSync());
    expect(tf.memory().numTensors).toBe(before);
    expectClose(Array.from(y), groupNormOracle(x, shape, groups, gamma, beta, 1e-5), 2e-5);
    layer.weights.forEach((v) => v.dispose()); // Layer.dispose refuses layers never applied symbolically
  });

  it('has gradients for input, gamma and beta that match finite differences of the oracle', () => {
    const shape = [1, 2, 2, 4];
    const groups = 2;
    const x = seededValues(16, 4, 2, 0);
    const gamma = seededValues(4, 5, 1, 1);
    const beta = seededValues(4, 6, 1, 0);
    const w = seededValues(16, 7, 1, 0); // loss = Σ w ⊙ GN(x)
    const layer = layerWithWeights(shape, groups, gamma, beta);
    const [gammaVar, betaVar] = layer.trainableWeights.map((v) => v.read() as tf.Variable);
    const before = tf.memory().numTensors;
    const { dx, dGamma, dBeta } = tf.tidy(() => {
      const xt = tf.tensor(x, shape);
      const loss = () => tf.sum(tf.mul(layer.apply(xt) as tf.Tensor, tf.tensor(w, shape))) as tf.Scalar;
      const dxT = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input) as tf.Tensor, tf.tensor(w, shape))))(xt);
      const { grads } = tf.variableGrads(loss, [gammaVar, betaVar]);
      return { dx: dxT.dataSync(), dGamma: grads[gammaVar.name].dataSync(), dBeta: grads[betaVar.name].dataSync() };
    });
    expect(tf.memory().numTensors).toBe(before);

    const lossOf = (xs: number[], g: number[], b: number[]) => groupNormOracle(xs, shape, groups, g, b, 1e-5).reduce((s, v, i) => s + v * w[i], 0);
    const h = 1e-6;
    const central = (f: (d: number) => number) => (f(h) - f(-h)) / (2 * h);
    const bump = (arr: number[], i: number, d: number) => arr.map((v, j) => (j === i ? v + d : v));
    expectClose(Array.from(dx), x.map((_, i) => central((d) => lossOf(bump(x, i, d), gamma, beta))), 1e-3);
    expectClose(Array.from(dGamma), gamma.map((_, i) => central((d) => lossOf(x, bump(gamma, i, d), beta))), 1e-3);
    expectClose(Array.from(dBeta), beta.map((_, i) => central((d) => lossOf(x, gamma, bump(beta, i, d)))), 1e-3);
    layer.weights.forEach((v) => v.dispose()); // Layer.dispose refuses layers never applied symbolically
  });

  it('saves and loads in a layers model with identical outputs and config', async () => {
    const input = tf.input({ shape: [3, 3, 6] });
    const gn = new GroupNormalization({ groups: 3, epsilon: 1e-3, center: true, scale: false, name: 'gn' });
    const model = tf.model({ inputs: input, outputs: gn.apply(input) as tf.SymbolicTensor });
    tf.tidy(() => model.getLayer('gn').setWeights([tf.tensor1d([0.5, -1, 2, 0, 1, 3])]));
    const loaded = await roundTrip(model);
    const restored = loaded.getLayer('gn') as GroupNormalization;
    expect(restored).toBeInstanceOf(GroupNormalization);
    expect([restored.groups, restored.epsilon, restored.center, restored.scale]).toEqual([3, 1e-3, true, false]);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const x = tf.tensor(seededValues(2 * 54, 8, 4, 1), [2, 3, 3, 6]);
      expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((model.predict(x) as tf.Tensor).dataSync()));
    });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    loaded.dispose();
  });

  it('rejects channels that the groups do not divide, and bad groups', () => {
    const input = tf.input({ shape: [4, 4, 6] });
    expect(() => new GroupNormalization({ groups: 4, name: 'gn_bad' }).apply(input)).toThrow(
      "GroupNormalization 'gn_bad': 6 channels are not divisible by 4 groups",
    );
    expect(() => new GroupNormalization({ groups: 0 })).toThrow('GroupNormalization: groups must be a positive integer, got 0');
  });
});
