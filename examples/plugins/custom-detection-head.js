// An example detection-head plugin for asl-run: `shared-tower`, an anchor-free head whose
// classification and box predictions share ONE conv tower (FCOS keeps two towers and a centerness
// branch). Per location the columns are the C class logits, then 4 log-distances (l, t, r, b) in
// strides; targets are FCOS's center-prior assignment, made in the training loader.
//
//   npx asl-run --plugin examples/plugins/custom-detection-head.js --task detection --head shared-tower
//
// `register(api, { tf })` receives the registries' plugin API and the TensorFlow.js instance
// asl-run trains with; the building blocks come from asl-run's `detection` export.
'use strict';

const { detection } = require('asl-run');

const { z, integerIn, numberIn, assignTargets, packTargets, decodeBox, giouLoss, sigmoid, MAX_LOG_DISTANCE } = detection;

function register(api, { tf }) {
  // The tower's convs start as FCOS's head convs: N(0, 0.01) weights, zero biases.
  const conv = (filters, name, bias = 0) =>
    tf.layers.conv2d({
      filters, kernelSize: 3, padding: 'same', name,
      kernelInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 0.01 }),
      biasInitializer: tf.initializers.constant({ value: bias }),
    });

  api.detectionHeads.register({
    name: 'shared-tower',
    description: 'One conv tower shared by classification and boxes, across levels; center-prior targets, no centerness',
    defaultLoss: 'focal',
    optionsSchema: z.strictObject({
      towerConvs: integerIn({ min: 0 }).describe('conv3x3 + ReLU blocks of the shared tower'),
      centerSampleRadius: numberIn({ min: 0 }).describe('Center sampling radius in strides (0 disables)'),
    }),
    defaults: { towerConvs: 2, centerSampleRadius: 1.5 },
    extraColumns: 4,

    decoder: {
      scores(rows, row, numClasses, scores) {
        for (let c = 0; c < numClasses; c++) scores[c] = sigmoid(rows[row + c]);
      },
      corners(rows, row, numClasses, grid, k, out) {
        decodeBox(rows, row + numClasses, grid.x[k], grid.y[k], grid.stride[k], out, 0);
      },
    },

    // One map [B, h, w, C + 4] per level; the layers are created once and shared by every level.
    buildHead({ features, strides, numClasses, options }) {
      const tower = [];
      for (let i = 0; i < options.towerConvs; i++) tower.push(conv(options.channels, `tower${i}_conv`), tf.layers.reLU({ name: `tower${i}_relu` }));
      const prior = options.priorProbability;
      const cls = conv(numClasses, 'tower_cls_logits', -Math.log((1 - prior) / prior));
      const box = conv(4, 'tower_box');
      return features.map((feature, i) => {
        const shared = tower.reduce((x, layer) => layer.apply(x), feature);
        const level = Math.round(Math.log2(strides[i]));
        return tf.layers.concatenate({ axis: -1, name: `tower_out${level}` }).apply([cls.apply(shared), box.apply(shared)]);
      });
    },

    trainingItem(grid, options) {
      return (boxes) => assignTargets(grid, boxes, options.centerSampleRadius);
    },

    // clsWeight · (sigmoid loss over the non-ignored locations) + boxWeight · (mean GIoU loss of the positives).
    createLoss({ criterion, numClasses, options }) {
      return {
        loss(outputs, items) {
          const t = packTargets(items, numClasses);
          const n = t.positive.length;
          const [logits, logLtrb] = tf.split(tf.reshape(outputs, [n, numClasses + 4]), [numClasses, 4], 1);
          const normalizer = Math.max(t.numPositives, 1);
          const cls = criterion.compute(logits, tf.tensor2d(t.classes, [n, numClasses]), { weights: tf.tensor2d(t.classWeights, [n, 1]), normalizer, reduction: 'sum' });
          const giou = giouLoss(tf.exp(tf.minimum(logLtrb, MAX_LOG_DISTANCE)), tf.tensor2d(t.ltrb, [n, 4]));
          const box = tf.div(tf.sum(tf.mul(giou, tf.tensor1d(t.positive))), normalizer);
          return { total: tf.addN([tf.mul(cls, options.clsWeight), tf.mul(box, options.boxWeight)]), parts: { cls, box } };
        },
        diagnostics(_outputs, items) {
          return { positivesPerImage: items.reduce((s, t) => s + t.numPositives, 0) / items.length };
        },
      };
    },
  });
}

module.exports = { register };
