import { tf } from '../../src/core/tf';
import { initBackend } from '../../src/core/backend/init';
import { buildFpn } from '../../src/backbones/fpn';
import { convOracle, expectClose, Map3, seededValues, toMap } from './helpers';

const relu = (m: Map3): Map3 => m.map((row) => row.map((px) => px.map((v) => Math.max(0, v))));

/** Sets seeded weights on a conv layer and returns them (kernel flat [k, k, Cin, Cout], bias). */
function seedConv(model: tf.LayersModel, name: string, seed: number): { kernel: number[]; bias: number[] } {
  const layer = model.getLayer(name);
  const [kShape, bShape] = layer.weights.map((w) => w.shape as number[]);
  const kernel = seededValues(kShape.reduce((a, b) => a * b, 1), seed, 0.5);
  const bias = seededValues(bShape[0], seed + 100, 0.1);
  tf.tidy(() => layer.setWeights([tf.tensor(kernel, kShape), tf.tensor1d(bias)]));
  return { kernel, bias };
}

describe('buildFpn', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('matches a plain-JS pyramid (laterals, nearest top-down with crop, output convs, P6/P7 on P5)', () => {
    // C3 3x3 (odd: upsampled C4 is 4x4 and must be cropped), C4 2x2; 2 channels out.
    const c3 = tf.input({ shape: [3, 3, 2] });
    const c4 = tf.input({ shape: [2, 2, 3] });
    const pyramid = buildFpn({ features: [c3, c4], strides: [8, 16] }, { channels: 2, extraLevels: 2 });
    expect(pyramid.strides).toEqual([8, 16, 32, 64]);
    expect(pyramid.features.map((f) => f.shape)).toEqual([[null, 3, 3, 2], [null, 2, 2, 2], [null, 1, 1, 2], [null, 1, 1, 2]]);
    const model = tf.model({ inputs: [c3, c4], outputs: pyramid.features });
    const w = {
      lat3: seedConv(model, 'fpn_lateral3', 1),
      lat4: seedConv(model, 'fpn_lateral4', 2),
      out3: seedConv(model, 'fpn_output3', 3),
      out4: seedConv(model, 'fpn_output4', 4),
      p5: seedConv(model, 'fpn_extra5', 5),
      p6: seedConv(model, 'fpn_extra6', 6),
    };
    const x3 = seededValues(18, 7);
    const x4 = seededValues(12, 8);

    const before = tf.memory().numTensors;
    const got = tf.tidy(() => (model.predict([tf.tensor(x3, [1, 3, 3, 2]), tf.tensor(x4, [1, 2, 2, 3])]) as tf.Tensor[]).map((t) => t.dataSync()));
    expect(tf.memory().numTensors).toBe(before);

    const lat3 = convOracle(toMap(x3, 3, 3, 2), w.lat3.kernel, 1, 2, 1, w.lat3.bias);
    const lat4 = convOracle(toMap(x4, 2, 2, 3), w.lat4.kernel, 1, 2, 1, w.lat4.bias);
    const merged3 = lat3.map((row, y) => row.map((px, x) => px.map((v, c) => v + lat4[y >> 1][x >> 1][c])));
    const p3 = convOracle(merged3, w.out3.kernel, 3, 2, 1, w.out3.bias);
    const p4 = convOracle(lat4, w.out4.kernel, 3, 2, 1, w.out4.bias);
    const p5 = convOracle(p4, w.p5.kernel, 3, 2, 2, w.p5.bias);
    const p6 = convOracle(relu(p5), w.p6.kernel, 3, 2, 2, w.p6.bias);
    [p3, p4, p5, p6].forEach((expected, i) => expectClose(Array.from(got[i]), expected.flat(2), 1e-5));
    model.dispose();
  });

  it('computes P6 from the last input map with extraSource c5', () => {
    const c5 = tf.input({ shape: [4, 4, 3] });
    const pyramid = buildFpn({ features: [c5], strides: [32] }, { channels: 2, extraLevels: 1, extraSource: 'c5', prefix: 'n_' });
    const model = tf.model({ inputs: c5, outputs: pyramid.features });
    const p6w = seedConv(model, 'n_extra6', 9);
    const x = seededValues(48, 10);
    const got = tf.tidy(() => (model.predict(tf.tensor(x, [1, 4, 4, 3])) as tf.Tensor[])[1].dataSync());
    expectClose(Array.from(got), convOracle(toMap(x, 4, 4, 3), p6w.kernel, 3, 2, 2, p6w.bias).flat(2), 1e-5);
    expect(pyramid.strides).toEqual([32, 64]);
    model.dispose();
  });

  it('rejects mismatched inputs and strides that do not grow by whole factors', () => {
    const a = tf.input({ shape: [8, 8, 2] });
    const b = tf.input({ shape: [4, 4, 2] });
    expect(() => buildFpn({ features: [a, b], strides: [8] })).toThrow('fpn: needs one stride per feature map and at least one map, got 2 maps and 1 strides');
    expect(() => buildFpn({ features: [a, b], strides: [8, 12] })).toThrow('fpn: strides must grow by integer factors >= 2, got [8,12]');
  });
});
