/**
 * Batch normalisation whose training step has a closed-form gradient. tfjs-layers normalises a
 * training batch with moments → batchNorm, and autodiff then differentiates through the moments
 * as well: some fifteen kernels over the activation per layer (Tile, Sub, Square, Mul, RealDiv,
 * Sum…), about 40 % of the default multi-label model's training step on wasm. The closed form
 * (PyTorch's batch_norm_backward) needs two reductions and four elementwise passes:
 *
 *   x̂ = (x − μ)·r, r = 1/√(σ² + ε), y = γ·x̂ + β        (μ, σ² over every axis but channels)
 *   dβ = Σ dy,  dγ = Σ dy·x̂ = r·(Σ dy·x − μ·dβ)
 *   dx = γ·r·(dy − dβ/n − x̂·dγ/n) = k·dy + b·x + c per channel, with k = γ·r, b = −k·r·dγ/n,
 *        c = k·(r·dγ·μ − dβ)/n
 *
 * The layer is tfjs-layers' own BatchNormalization (same class name, config and weights, so saved
 * models load either way) with only the training branch replaced, for channels-last inputs with
 * both γ and β; everything else goes to the original, as does everything on a tfjs-layers the
 * compatibility guard has not checked (the branch reads the original's private fields).
 */
import type { BatchNormalization as TfjsBatchNormalization } from '@tensorflow/tfjs-layers/dist/layers/normalization';
import { tf } from '../core/tf';
import { tfjsInternalsUsable } from '../core/backend/compat';

/**
 * Normalises x over every axis but the last, with batch statistics, and applies γ, β.
 * @param x [..., C]; gamma, beta [C]
 * @returns y like x, and the batch mean and (biased) variance [C] for the moving averages — the
 *   caller disposes those two
 */
export function batchNormTraining(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): { y: tf.Tensor; mean: tf.Tensor1D; variance: tf.Tensor1D } {
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
  let stats: { mean: tf.Tensor1D; variance: tf.Tensor1D } | undefined;
  const normalize = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, scale, offset] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const { mean, variance } = tf.moments(input, axes) as { mean: tf.Tensor1D; variance: tf.Tensor1D };
    // customGrad frees what its forward made but returns; the statistics leave as kept copies.
    stats = { mean: tf.keep(mean.clone()), variance: tf.keep(variance.clone()) };
    const rstd = tf.rsqrt(tf.add(variance, epsilon));
    save([input, mean, rstd, scale]);
    return {
      value: tf.batchNorm(input, mean, variance, offset as tf.Tensor1D, scale as tf.Tensor1D, epsilon),
      gradFunc: (dy: tf.Tensor, [xs, mu, r, g]: tf.Tensor[]) => {
        const n = xs.size / xs.shape[xs.rank - 1];
        const dBeta = tf.sum(dy, axes);
        const dGamma = tf.mul(r, tf.sub(tf.sum(tf.mul(dy, xs), axes), tf.mul(mu, dBeta)));
        const k = tf.mul(g, r);
        const rDGammaOverN = tf.div(tf.mul(r, dGamma), n);
        const b = tf.neg(tf.mul(k, rDGammaOverN));
        const c = tf.mul(k, tf.sub(tf.mul(rDGammaOverN, mu), tf.div(dBeta, n)));
        const dx = tf.add(tf.add(tf.mul(dy, k), tf.mul(xs, b)), c);
        return [dx, dGamma, dBeta];
      },
    };
  });
  const y = (normalize as (...inputs: tf.Tensor[]) => tf.Tensor)(x, gamma, beta);
  return { y, ...stats! };
}

/** tfjs-layers' BatchNormalization class (the package exports only its factory). */
const TfjsBatchNormalizationClass = tf.layers.batchNormalization({}).constructor as typeof TfjsBatchNormalization;

/** The fields of tfjs-layers' BatchNormalization the training branch reads (private there). */
interface BatchNormState {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: tf.LayerVariable;
  beta: tf.LayerVariable;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

type Kwargs = Parameters<TfjsBatchNormalization['call']>[1];

export class BatchNormalization extends TfjsBatchNormalizationClass {
  static override className = 'BatchNormalization';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const self = this as unknown as BatchNormState;
    const channelsLast = self.axis === -1 || self.axis === x.rank - 1;
    if (!tfjsInternalsUsable() || !kwargs['training'] || inputs instanceof Array || !channelsLast || !self.center || !self.scale) return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const { y, mean, variance } = batchNormTraining(x, self.gamma.read() as tf.Tensor1D, self.beta.read() as tf.Tensor1D, self.epsilon);
      // The moving averages as tfjs-layers keeps them: v ← v − (v − batch value)·(1 − momentum).
      for (const [average, batchValue] of [[self.movingMean, mean], [self.movingVariance, variance]] as const) {
        tf.tidy(() => {
          const old = average.read();
          average.write(tf.sub(old, tf.mul(tf.sub(old, batchValue), 1 - self.momentum)));
        });
      }
      tf.dispose([mean, variance]);
      return y;
    });
  }
}
