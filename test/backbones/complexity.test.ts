import { tf } from '../../src/core/tf';
import { initBackend } from '../../src/core/backend/init';
import { modelComplexity } from '../../src/backbones/complexity';

describe('modelComplexity', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('counts params and per-sample MACs of conv, depthwise, transposed conv and dense layers by hand', () => {
    const input = tf.input({ shape: [8, 8, 3] });
    const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same' }).apply(input) as tf.SymbolicTensor; // 4x4x4
    const dw = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same' }).apply(conv) as tf.SymbolicTensor; // 4x4x4
    const up = tf.layers.conv2dTranspose({ filters: 2, kernelSize: 2, strides: 2 }).apply(dw) as tf.SymbolicTensor; // 8x8x2
    const pooled = tf.layers.globalAveragePooling2d({}).apply(up) as tf.SymbolicTensor;
    const logits = tf.layers.dense({ units: 5 }).apply(pooled) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: logits });
    // conv: 16 outputs · 3·3·3·4; depthwise: 16 · 3·3·4; transposed: 16 inputs · 2·2·4·2; dense: 2·5.
    const macs = 16 * 108 + 16 * 36 + 16 * 32 + 10;
    const params = 108 + 4 + 36 + 4 + 32 + 2 + 10 + 5;
    expect(modelComplexity(model)).toEqual({ params, macs });
    model.dispose();
  });

  it('refuses a model whose input size is unknown', () => {
    const input = tf.input({ shape: [null, null, 3] });
    const model = tf.model({ inputs: input, outputs: tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'c' }).apply(input) as tf.SymbolicTensor });
    expect(() => modelComplexity(model)).toThrow("modelComplexity: layer 'c' has an unknown dimension; build the model with a fixed input size");
    model.dispose();
  });
});
