/**
 * Figure 5: does a long training run leak? The default multi-label model trains N steps with ASL;
 * the live tensor count after step 10 must equal the count after step N, and the process RSS may
 * grow by less than 5% between step 100 and step N. Leaks are per step, so a small batch shows
 * them as well as the default 64 and keeps N = 500 steps within minutes.
 */
import { tf } from '../core/tf';
import { createContainer, TOKENS } from '../core/container';
import type { LossRegistry } from '../core/registry/loss-registry';
import { peakRssMiB } from '../core/engine/run';
import { median, nowMs } from './timing';
import { buildMultiLabelModel, multiLabelLoss, syntheticBatch, TrainStep } from './workloads';

export interface MemoryOptions {
  imageSize: number;
  batchSize: number;
  /** N: total steps. */
  steps: number;
  /** Tensor count compared between after this step and after step N (10). */
  tensorsFromStep: number;
  /** RSS growth measured from after this step to after step N (100). */
  rssFromStep: number;
}

export interface MemoryResult {
  batchSize: number;
  steps: number;
  tensorsFromStep: number;
  rssFromStep: number;
  tensorsAfterFromStep: number;
  tensorsAfterLastStep: number;
  rssAfterFromStepMiB: number;
  rssAfterLastStepMiB: number;
  /** 100 × (RSS after step N / RSS after rssFromStep - 1). */
  rssGrowthPercent: number;
  /** The process's peak RSS so far (every benchmark run before this one included). */
  peakRssMiB: number;
  medianStepMs: number;
}

const MiB = 1024 * 1024;

/** Runs on the active backend. */
export async function runMemory(o: MemoryOptions): Promise<MemoryResult> {
  if (!(Number.isInteger(o.steps) && o.tensorsFromStep >= 1 && o.rssFromStep >= 1 && o.steps > Math.max(o.tensorsFromStep, o.rssFromStep))) {
    throw new Error(
      `bench memory: need integer steps N > tensorsFromStep, rssFromStep >= 1; got N=${o.steps}, ${o.tensorsFromStep}, ${o.rssFromStep}`,
    );
  }
  const losses = createContainer().get<LossRegistry>(TOKENS.LossRegistry);
  const batch = syntheticBatch(o.batchSize, o.imageSize);
  const asl = multiLabelLoss(losses.create('asl'), batch);
  const trainer = new TrainStep(buildMultiLabelModel(o.imageSize), batch);
  let tensorsAfterFromStep = NaN;
  let rssAfterFromStep = NaN;
  const stepMs: number[] = [];
  try {
    for (let step = 1; step <= o.steps; step++) {
      const start = nowMs();
      await trainer.run(asl.lossFn);
      stepMs.push(nowMs() - start);
      if (step === o.tensorsFromStep) tensorsAfterFromStep = tf.memory().numTensors;
      if (step === o.rssFromStep) rssAfterFromStep = process.memoryUsage().rss;
    }
    const tensorsAfterLastStep = tf.memory().numTensors;
    const rssAfterLastStep = process.memoryUsage().rss;
    return {
      batchSize: o.batchSize,
      steps: o.steps,
      tensorsFromStep: o.tensorsFromStep,
      rssFromStep: o.rssFromStep,
      tensorsAfterFromStep,
      tensorsAfterLastStep,
      rssAfterFromStepMiB: rssAfterFromStep / MiB,
      rssAfterLastStepMiB: rssAfterLastStep / MiB,
      rssGrowthPercent: 100 * (rssAfterLastStep / rssAfterFromStep - 1),
      peakRssMiB: peakRssMiB(),
      medianStepMs: median(stepMs),
    };
  } finally {
    trainer.dispose();
    asl.dispose();
  }
}
