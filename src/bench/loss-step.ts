/**
 * Figure 2: what ASL costs over BCE in a full training step (forward, backward, Adam update) of
 * the default multi-label model. One model and one batch serve both losses; the two step kinds
 * alternate round by round and the ratio is the median of the per-round ratios.
 */
import { createContainer, TOKENS } from '../core/container';
import type { LossRegistry } from '../core/registry/loss-registry';
import { interleave, medianRatio } from './timing';
import { buildMultiLabelModel, multiLabelLoss, syntheticBatch, TrainStep } from './workloads';

export interface LossStepOptions {
  imageSize: number;
  batchSize: number;
  rounds: number;
  stepsPerRound: number;
}

export interface LossStepResult {
  batchSize: number;
  rounds: number;
  stepsPerRound: number;
  /** Milliseconds per step in each round. */
  aslStepMs: number[];
  bceStepMs: number[];
  /** Median over rounds of the ASL round's time / the BCE round's time. */
  aslOverBce: number;
}

/** Runs on the active backend. */
export async function runLossStep(o: LossStepOptions): Promise<LossStepResult> {
  if (!Number.isInteger(o.stepsPerRound) || o.stepsPerRound < 1) {
    throw new Error(`bench loss-step: stepsPerRound must be a positive integer, got ${o.stepsPerRound}`);
  }
  const losses = createContainer().get<LossRegistry>(TOKENS.LossRegistry);
  const batch = syntheticBatch(o.batchSize, o.imageSize);
  const asl = multiLabelLoss(losses.create('asl'), batch);
  const bce = multiLabelLoss(losses.create('bce'), batch);
  const trainer = new TrainStep(buildMultiLabelModel(o.imageSize), batch);
  const steps = (lossFn: typeof asl.lossFn) => async () => {
    for (let i = 0; i < o.stepsPerRound; i++) await trainer.run(lossFn);
  };
  try {
    // Warm-up: the first step of each loss builds its kernels' caches.
    await trainer.run(asl.lossFn);
    await trainer.run(bce.lossFn);
    const { a, b } = await interleave(o.rounds, steps(asl.lossFn), steps(bce.lossFn));
    const perStep = (seconds: number[]) => seconds.map((s) => (s * 1000) / o.stepsPerRound);
    return {
      batchSize: o.batchSize, rounds: o.rounds, stepsPerRound: o.stepsPerRound,
      aslStepMs: perStep(a), bceStepMs: perStep(b), aslOverBce: medianRatio(a, b),
    };
  } finally {
    trainer.dispose();
    asl.dispose();
    bce.dispose();
  }
}
