import { tf } from '../../src/core/tf';
import { initBackend } from '../../src/core/backend/init';
import { buildClassifier } from '../../src/backbones/classifier';
import { components } from '../components';

const { backbones } = components();
const createBackbone: typeof backbones.create = (name, options) => backbones.create(name, options);
import { expectClose, seededValues, seedLayer } from './helpers';

describe('buildClassifier', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('produces logits = mean-pooled deepest features · W + b (no activation)', () => {
    const backbone = createBackbone('mobilenet-tiny', { inputShape: [32, 32, 3] });
    const model = buildClassifier(backbone, 4);
    const features = tf.model({ inputs: backbone.inputs, outputs: backbone.features[backbone.features.length - 1] });
    const [kernel, bias] = seedLayer(model, 'head_logits', 1, 2); // large weights: sigmoid/softmax would be visible
    const k = backbone.channels[backbone.channels.length - 1];
    const before = tf.memory().numTensors;
    const { logits, deepest } = tf.tidy(() => {
      const x = tf.tensor(seededValues(2 * 32 * 32 * 3, 2), [2, 32, 32, 3]);
      return { logits: (model.predict(x) as tf.Tensor).dataSync(), deepest: (features.predict(x) as tf.Tensor).dataSync() };
    });
    expect(tf.memory().numTensors).toBe(before);
    const positions = deepest.length / (2 * k);
    const expected: number[] = [];
    for (let n = 0; n < 2; n++) {
      const pooled = Array.from({ length: k }, (_, c) => {
        let s = 0;
        for (let p = 0; p < positions; p++) s += deepest[(n * positions + p) * k + c];
        return s / positions;
      });
      for (let j = 0; j < 4; j++) expected.push(bias[j] + pooled.reduce((s, v, c) => s + v * kernel[c * 4 + j], 0));
    }
    expect(expected.some((v) => v < 0 || v > 1)).toBe(true);
    expectClose(Array.from(logits), expected, 1e-4);
    model.dispose();
  });

  it('initialises biases to the logit of priorProbability and adds dropout only when asked', () => {
    const plain = buildClassifier(createBackbone('resnet-tiny', { inputShape: [16, 16, 3] }), 3);
    const prior = buildClassifier(createBackbone('resnet-tiny', { inputShape: [16, 16, 3] }), 3, { priorProbability: 0.01, dropout: 0.3 });
    expect(Array.from(plain.getLayer('head_logits').getWeights()[1].dataSync())).toEqual([0, 0, 0]);
    expectClose(Array.from(prior.getLayer('head_logits').getWeights()[1].dataSync()), [1, 2, 3].map(() => Math.log(0.01 / 0.99)), 1e-6);
    expect(plain.layers.some((l) => l.name === 'head_dropout')).toBe(false);
    expect(prior.getLayer('head_dropout').getConfig().rate).toBe(0.3);
    expect(prior.outputs[0].shape).toEqual([null, 3]);
    plain.dispose();
    prior.dispose();
  });

  it('rejects bad class counts, dropout and priors', () => {
    const backbone = createBackbone('resnet-tiny', { inputShape: [16, 16, 3] });
    expect(() => buildClassifier(backbone, 0)).toThrow('classifier: numClasses must be a positive integer, got 0');
    expect(() => buildClassifier(backbone, 2, { dropout: 1 })).toThrow('classifier: dropout must be in [0, 1), got 1');
    expect(() => buildClassifier(backbone, 2, { priorProbability: 1 })).toThrow('classifier: priorProbability must be in (0, 1), got 1');
  });
});
