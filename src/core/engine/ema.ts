/**
 * Exponential moving average of every model weight, trainable or not (batch-norm statistics too,
 * like timm's ModelEma). With `warmup`, the decay is min(decay, (1 + t) / (10 + t)) so that short
 * runs do not average in the random initialisation (TensorFlow's ExponentialMovingAverage
 * num_updates rule); the ASL reference uses a fixed 0.9997.
 */
import { tf } from '../tf';

export class WeightEma {
  readonly shadows: tf.Variable[];
  private updates = 0;

  constructor(
    private readonly weights: tf.Variable[],
    readonly decay: number,
    private readonly warmup: boolean,
  ) {
    if (!(decay > 0 && decay < 1)) throw new Error(`ema: decay must be in (0, 1), got ${decay}`);
    // tf.variable copies its initial value: the clone is only a source, freed by the tidy.
    this.shadows = tf.tidy(() => weights.map((w) => tf.variable(w.clone(), false)));
  }

  get updateCount(): number {
    return this.updates;
  }

  currentDecay(): number {
    return this.warmup ? Math.min(this.decay, (1 + this.updates) / (10 + this.updates)) : this.decay;
  }

  update(): void {
    const d = this.currentDecay();
    this.updates += 1;
    tf.tidy(() => this.weights.forEach((w, i) => this.shadows[i].assign(this.shadows[i].mul(d).add(w.mul(1 - d)))));
  }

  /** Runs `fn` with the averaged weights swapped into the model, then restores the live ones. */
  async withAveragedWeights<T>(fn: () => Promise<T>): Promise<T> {
    const live = this.weights.map((w) => w.clone());
    this.weights.forEach((w, i) => w.assign(this.shadows[i]));
    try {
      return await fn();
    } finally {
      this.weights.forEach((w, i) => w.assign(live[i]));
      live.forEach((t) => t.dispose());
    }
  }

  /** Copies the averaged weights into the model for good (when the EMA wins the evaluation). */
  commit(): void {
    this.weights.forEach((w, i) => w.assign(this.shadows[i]));
  }

  setUpdateCount(n: number): void {
    this.updates = n;
  }

  dispose(): void {
    this.shadows.forEach((s) => s.dispose());
  }
}
