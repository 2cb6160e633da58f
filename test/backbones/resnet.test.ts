import { tf } from '../../src/core/tf';
import { initBackend } from '../../src/core/backend/init';
import { basicBlock, buildResNet } from '../../src/backbones/resnet';
import { addMaps, bnOracle, convOracle, expectClose, Map3, mapValues, seedBn, seededValues, seedLayer, toMap } from './helpers';

const relu = (m: Map3) => mapValues(m, (v) => Math.max(0, v));

describe('ResNet basic block', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it.each([
    { cin: 4, filters: 4, strides: 1, projected: false },
    { cin: 4, filters: 6, strides: 2, projected: true },
  ])('matches a plain-JS block ($cin → $filters channels, stride $strides)', ({ cin, filters, strides, projected }) => {
    const input = tf.input({ shape: [5, 5, cin] });
    const model = tf.model({ inputs: input, outputs: basicBlock(input, filters, strides, 'b') });
    const hasProjection = model.layers.some((l) => l.name === 'b_proj_conv');
    expect(hasProjection).toBe(projected);
    const [k1] = seedLayer(model, 'b_1_conv', 1);
    const bn1 = seedBn(model, 'b_1_bn', 2);
    const [k2] = seedLayer(model, 'b_2_conv', 3);
    const bn2 = seedBn(model, 'b_2_bn', 4);
    const proj = projected ? { kernel: seedLayer(model, 'b_proj_conv', 5)[0], bn: seedBn(model, 'b_proj_bn', 6) } : undefined;
    const x = seededValues(25 * cin, 7);

    const before = tf.memory().numTensors;
    const got = tf.tidy(() => (model.predict(tf.tensor(x, [1, 5, 5, cin])) as tf.Tensor).dataSync());
    expect(tf.memory().numTensors).toBe(before);

    const xm = toMap(x, 5, 5, cin);
    const branch = bnOracle(convOracle(relu(bnOracle(convOracle(xm, k1, 3, filters, strides), bn1)), k2, 3, filters, 1), bn2);
    const shortcut = proj ? bnOracle(convOracle(xm, proj.kernel, 1, filters, strides), proj.bn) : xm;
    expectClose(Array.from(got), relu(addMaps(branch, shortcut)).flat(2), 1e-4);
    model.dispose();
  });

  it('stacks depths[i] blocks per stage, projecting only at stage starts', () => {
    const input = tf.input({ shape: [16, 16, 3] });
    const body = buildResNet(input, { stemWidth: 8, stemStride: 1, widths: [8, 16], depths: [2, 1] }, 'r_');
    expect(body.strides).toEqual([2, 4]);
    expect(body.features.map((f) => f.shape)).toEqual([[null, 8, 8, 8], [null, 4, 4, 16]]);
    const names = tf.model({ inputs: input, outputs: body.features }).layers.map((l) => l.name);
    expect(names.filter((n) => n.endsWith('_add'))).toEqual(['r_stage1_block1_add', 'r_stage1_block2_add', 'r_stage2_block1_add']);
    // Stage 1 starts with stride 2 (shape changes) so it projects; block 2 keeps the shape.
    expect(names.filter((n) => n.endsWith('_proj_conv'))).toEqual(['r_stage1_block1_proj_conv', 'r_stage2_block1_proj_conv']);
  });

  it('rejects mismatched widths and depths', () => {
    const input = tf.input({ shape: [8, 8, 3] });
    expect(() => buildResNet(input, { stemWidth: 8, stemStride: 2, widths: [8, 16], depths: [1] }, '')).toThrow(
      'resnet: widths (2) and depths (1) must be non-empty and of equal length',
    );
    expect(() => buildResNet(input, { stemWidth: 8, stemStride: 2, widths: [8], depths: [0] }, '')).toThrow('resnet: every depth must be an integer >= 1, got [0]');
  });
});
