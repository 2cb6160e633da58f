import { tf } from '../../src/core/tf';
import { initBackend } from '../../src/core/backend/init';
import { buildMobileNet, invertedResidual } from '../../src/backbones/mobilenet';
import { addMaps, bnOracle, convOracle, depthwiseOracle, expectClose, Map3, mapValues, seedBn, seededValues, seedLayer, toMap } from './helpers';

const relu6 = (m: Map3) => mapValues(m, (v) => Math.min(6, Math.max(0, v)));

describe('MobileNet inverted residual block', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it.each([
    { cin: 4, filters: 4, strides: 1, expansion: 3, residual: true },
    { cin: 4, filters: 6, strides: 2, expansion: 2, residual: false },
    { cin: 4, filters: 4, strides: 1, expansion: 1, residual: true },
  ])('matches a plain-JS block ($cin → $filters, stride $strides, expansion $expansion)', ({ cin, filters, strides, expansion, residual }) => {
    const input = tf.input({ shape: [5, 5, cin] });
    const model = tf.model({ inputs: input, outputs: invertedResidual(input, filters, strides, expansion, 'm') });
    const names = model.layers.map((l) => l.name);
    expect(names.includes('m_add')).toBe(residual);
    expect(names.includes('m_expand_conv')).toBe(expansion !== 1);
    const hidden = cin * expansion;
    const x = seededValues(25 * cin, 1, 2);
    let h = toMap(x, 5, 5, cin);
    if (expansion !== 1) {
      const [k] = seedLayer(model, 'm_expand_conv', 2);
      h = relu6(bnOracle(convOracle(h, k, 1, hidden, 1), seedBn(model, 'm_expand_bn', 3)));
    }
    const [dk] = seedLayer(model, 'm_dw_dwconv', 4);
    h = relu6(bnOracle(depthwiseOracle(h, dk, 3, strides), seedBn(model, 'm_dw_bn', 5)));
    const [pk] = seedLayer(model, 'm_project_conv', 6);
    h = bnOracle(convOracle(h, pk, 1, filters, 1), seedBn(model, 'm_project_bn', 7)); // linear bottleneck
    const expected = residual ? addMaps(h, toMap(x, 5, 5, cin)) : h;

    const before = tf.memory().numTensors;
    const got = tf.tidy(() => (model.predict(tf.tensor(x, [1, 5, 5, cin])) as tf.Tensor).dataSync());
    expect(tf.memory().numTensors).toBe(before);
    expectClose(Array.from(got), expected.flat(2), 1e-4);
    model.dispose();
  });

  it('emits one feature map per stage with doubling strides', () => {
    const input = tf.input({ shape: [20, 20, 3] });
    const body = buildMobileNet(input, { stemWidth: 8, stemStride: 2, stages: [{ width: 8, depth: 2, expansion: 2 }, { width: 16, depth: 1, expansion: 4 }] }, '');
    expect(body.strides).toEqual([4, 8]);
    expect(body.channels).toEqual([8, 16]);
    expect(body.features.map((f) => f.shape)).toEqual([[null, 5, 5, 8], [null, 3, 3, 16]]);
  });

  it('rejects empty or malformed stages', () => {
    const input = tf.input({ shape: [8, 8, 3] });
    expect(() => buildMobileNet(input, { stemWidth: 8, stemStride: 2, stages: [] }, '')).toThrow('mobilenet: at least one stage is needed');
    expect(() => buildMobileNet(input, { stemWidth: 8, stemStride: 2, stages: [{ width: 8, depth: 1, expansion: 0.5 }] }, '')).toThrow(
      'mobilenet: stage {"width":8,"depth":1,"expansion":0.5} needs an integer depth >= 1 and expansion >= 1',
    );
  });
});
