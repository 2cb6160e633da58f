/**
 * Adaptive asymmetry (ASL paper, "adaptive asymmetry"): instead of fixing gammaNeg, steer the
 * probability gap Δp = mean p_t(positives) − mean p_t(negatives) (p_t = p on positives, 1 − p on
 * negatives) toward a target. Raising gammaNeg down-weights easy negatives, which lifts the
 * predicted probabilities and with them Δp; so after each step
 *
 *   gammaNeg ← max(0, gammaNeg + gammaNegStep · (gapTarget − Δp̄)),
 *
 * where Δp̄ is an exponential average (decay 0.9) of the per-batch gap, to keep one noisy batch
 * from jerking gammaNeg. Its state (gammaNeg, Δp̄) is saved in checkpoints for exact resumes.
 */
import type { Loss, LossParams } from '../../losses/loss-plugin';

const GAP_SMOOTHING = 0.9;

export interface AdaptiveState {
  gammaNeg: number;
  smoothedGap: number | null;
}

export class AdaptiveAsymmetry {
  private state: AdaptiveState;

  /** @param rebuild makes the loss with the given parameters (from the registry). */
  constructor(
    private readonly params: LossParams,
    private readonly rebuild: (params: LossParams) => Loss,
  ) {
    if (typeof params.gammaNeg !== 'number') throw new Error(`adaptive asymmetry needs a loss with a numeric gammaNeg`);
    this.state = { gammaNeg: params.gammaNeg, smoothedGap: null };
  }

  /** Folds in one batch's gap and returns the loss to use for the next step. */
  update(batchGap: number): Loss {
    if (Number.isFinite(batchGap)) {
      const { smoothedGap } = this.state;
      const gap = smoothedGap === null ? batchGap : GAP_SMOOTHING * smoothedGap + (1 - GAP_SMOOTHING) * batchGap;
      const step = Number(this.params.gammaNegStep) * (Number(this.params.gapTarget) - gap);
      this.state = { gammaNeg: Math.max(0, this.state.gammaNeg + step), smoothedGap: gap };
    }
    return this.loss();
  }

  loss(): Loss {
    return this.rebuild({ ...this.params, gammaNeg: this.state.gammaNeg });
  }

  get current(): Readonly<AdaptiveState> {
    return this.state;
  }

  restore(state: AdaptiveState): void {
    this.state = { ...state };
  }
}
