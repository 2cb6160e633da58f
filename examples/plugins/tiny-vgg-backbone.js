// An example backbone plugin for asl-run: a plain VGG-style body (conv3x3-BN-ReLU stem, then
// stride-2 conv3x3-BN-ReLU stages), usable by every task and by the detection FPN.
//
//   npx asl-run --plugin examples/plugins/tiny-vgg-backbone.js --task multilabel --backbone tiny-vgg
//   npx asl-run --plugin examples/plugins/tiny-vgg-backbone.js --task detection --backbone tiny-vgg
//
// `build(input, widthMultiplier, stemStride, prefix)` gets the image input [N, H, W, C] and returns
// the feature maps shallow to deep with their strides and channels. Layer names start with
// `prefix`, and channel counts follow the width multiplier. asl-run checks the entry when the file
// is loaded (it builds it on a 64x64 input) and names this file in any error.
'use strict';

const STAGES = [16, 32, 64, 96];

function register(api, { tf }) {
  api.backbones.register({
    name: 'tiny-vgg',
    description: 'VGG-style plain conv stages 16/32/64/96 (example plugin)',
    build(input, widthMultiplier, stemStride, prefix) {
      const width = (w) => Math.max(8, Math.round((w * widthMultiplier) / 8) * 8);
      const convBnRelu = (x, filters, strides, name) => {
        const conv = tf.layers.conv2d({ filters, kernelSize: 3, strides, padding: 'same', useBias: false, kernelInitializer: 'heNormal', name: `${prefix}${name}_conv` });
        const bn = tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5, name: `${prefix}${name}_bn` });
        return tf.layers.reLU({ name: `${prefix}${name}_relu` }).apply(bn.apply(conv.apply(x)));
      };
      const stem = stemStride ?? 2;
      let x = convBnRelu(input, width(16), stem, 'vgg_stem');
      const features = [];
      const strides = [];
      STAGES.forEach((w, i) => {
        x = convBnRelu(x, width(w), 2, `vgg_stage${i + 1}`);
        features.push(x);
        strides.push(stem * 2 ** (i + 1));
      });
      return { features, strides, channels: STAGES.map(width) };
    },
  });
}

module.exports = { register };
