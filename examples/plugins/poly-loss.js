// An example loss plugin for asl-run: Poly-1 on top of sigmoid BCE (Leng et al., "PolyLoss",
// ICLR 2022): L = BCE(x, y) + epsilon * (1 - pt), pt = y·p + (1 - y)·(1 - p).
//
//   npx asl-run --plugin examples/plugins/poly-loss.js losses
//   npx asl-run --plugin examples/plugins/poly-loss.js --task multilabel --loss poly-bce
//
// `register(registry, { tf })` receives the TensorFlow.js instance asl-run trains with.
'use strict';

function register(registry, { tf }) {
  const defaults = { epsilon: 1, reduction: 'sum' };
  registry.register({
    name: 'poly-bce',
    kind: 'sigmoid',
    description: 'Poly-1 sigmoid loss: BCE + epsilon * (1 - pt)',
    defaults,
    validate(params) {
      const p = { ...defaults, ...params };
      for (const key of Object.keys(p)) {
        if (!(key in defaults)) throw new Error(`poly-bce: unknown parameter '${key}' (known: epsilon, reduction)`);
      }
      if (typeof p.epsilon !== 'number' || !Number.isFinite(p.epsilon)) throw new Error(`poly-bce: epsilon must be a finite number, got ${p.epsilon}`);
      if (!['sum', 'mean', 'none'].includes(p.reduction)) throw new Error(`poly-bce: reduction must be sum, mean or none, got ${p.reduction}`);
      return p;
    },
    create(params) {
      return {
        name: 'poly-bce',
        kind: 'sigmoid',
        params,
        compute(logits, targets, options = {}) {
          return tf.tidy(() => {
            const y = targets.toFloat();
            // Stable BCE from logits: max(x, 0) - x·y + log(1 + exp(-|x|)).
            const bce = tf.relu(logits).sub(logits.mul(y)).add(tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
            const p = tf.sigmoid(logits);
            const pt = y.mul(p).add(tf.scalar(1).sub(y).mul(tf.scalar(1).sub(p)));
            let loss = bce.add(tf.scalar(1).sub(pt).mul(params.epsilon));
            if (options.weights) loss = loss.mul(options.weights);
            const reduction = options.reduction || params.reduction;
            if (reduction === 'none') return loss;
            let value = reduction === 'mean' ? loss.mean() : loss.sum();
            if (options.normalizer !== undefined) value = value.div(options.normalizer);
            return value;
          });
        },
      };
    },
  });
}

module.exports = { register };
