/**
 * Figure 1: training throughput (images/s) of the reference CNN and of the default multi-label
 * model on every backend that loads, and the reference CNN against PyTorch CPU, for the best
 * portable backend and for native tensorflow where it loads. Each tfjs/PyTorch ratio is measured
 * side by side: rounds alternate a tfjs burst and a PyTorch run, and the ratio is the median of the
 * per-round ratios.
 */
import { initBackend, type BackendInfo, type BackendName } from '../core/backend/init';
import { resolveWasmThreads } from '../core/backend/wasm-module';
import { createContainer, TOKENS } from '../core/container';
import type { LossRegistry } from '../core/registry/loss-registry';
import { median, medianRatio, timeCalls } from './timing';
import { BENCH_CLASSES, buildMultiLabelModel, buildReferenceCnn, multiLabelLoss, singleLabelLoss, syntheticBatch, TrainStep } from './workloads';
import { runTorchReference, torchUnavailableReason } from './torch-reference';

/** Backends that run anywhere Node does (the tfjs/PyTorch ratio uses the best of these). */
const PORTABLE_BACKENDS: readonly string[] = ['wasm', 'cpu'];

export interface ThroughputOptions {
  /** Backends to try, in order; one that does not load is listed as unavailable. */
  backends: BackendName[];
  /** Thread counts the wasm backend is measured with (each one a row). */
  wasmThreads: number[];
  imageSize: number;
  referenceBatch: number;
  multiLabelBatch: number;
  warmup: number;
  referenceSteps: number;
  multiLabelSteps: number;
  /** Reference-CNN steps on the pure-JS cpu backend (~1 min each at batch 32); 0 skips cpu. */
  cpuSteps: number;
  /** Alternating tfjs/PyTorch rounds; 0 skips PyTorch. */
  torchRounds: number;
  torchThreads: number;
}

export interface StepRate {
  batchSize: number;
  /** Milliseconds of each timed step. */
  stepMs: number[];
  /** batchSize / median step time. */
  imagesPerSecond: number;
}

export interface BackendThroughput {
  backend: string;
  detail: string;
  /** Compute threads, where we set them (wasm). */
  threads?: number;
  referenceCnn: StepRate | null;
  /** null on cpu, where one step of this model takes minutes. */
  multiLabel: StepRate | null;
}

export interface TorchComparison {
  torchVersion: string;
  threads: number;
  /** The portable tfjs backend compared (the fastest on the reference CNN), with its threads. */
  tfjsBackend: string;
  tfjsThreads?: number;
  tfjsImagesPerSecond: number[];
  torchImagesPerSecond: number[];
  /** Median over rounds of tfjs images/s / PyTorch images/s. */
  tfjsOverTorch: number;
}

export interface ThroughputResult {
  backends: BackendThroughput[];
  unavailable: { backend: string; reason: string }[];
  /** The comparison, or why there is none. */
  torch: TorchComparison | { absent: string };
  /** The native tensorflow backend against PyTorch, measured the same way in the same run, or why not. */
  nativeTorch: TorchComparison | { absent: string };
}

function stepRate(batchSize: number, stepMs: number[]): StepRate {
  return { batchSize, stepMs, imagesPerSecond: (batchSize * 1000) / median(stepMs) };
}

/** Times `steps` reference-CNN steps (after `warmup`) on the active backend. */
async function timeReferenceCnn(o: ThroughputOptions, losses: LossRegistry, warmup: number, steps: number): Promise<StepRate> {
  const batch = syntheticBatch(o.referenceBatch, o.imageSize);
  const loss = singleLabelLoss(losses.create('ce'), batch);
  const trainer = new TrainStep(buildReferenceCnn(o.imageSize), batch);
  try {
    return stepRate(o.referenceBatch, await timeCalls(() => trainer.run(loss.lossFn), warmup, steps));
  } finally {
    trainer.dispose();
    loss.dispose();
  }
}

/** Times the default multi-label model (ASL loss) on the active backend. */
async function timeMultiLabel(o: ThroughputOptions, losses: LossRegistry): Promise<StepRate> {
  const batch = syntheticBatch(o.multiLabelBatch, o.imageSize);
  const loss = multiLabelLoss(losses.create('asl'), batch);
  const trainer = new TrainStep(buildMultiLabelModel(o.imageSize), batch);
  try {
    return stepRate(o.multiLabelBatch, await timeCalls(() => trainer.run(loss.lossFn), o.warmup, o.multiLabelSteps));
  } finally {
    trainer.dispose();
    loss.dispose();
  }
}

async function tryBackend(name: BackendName, threads?: number): Promise<BackendInfo | string> {
  try {
    return await initBackend(name, { threads });
  } catch (err) {
    return (err as Error).message;
  }
}

/** Rounds alternating a tfjs burst on `backend` and a PyTorch run of as many steps. */
async function compareWithTorch(o: ThroughputOptions, losses: LossRegistry, backend: BackendName, tfjsThreads?: number): Promise<TorchComparison> {
  await initBackend(backend, { threads: tfjsThreads });
  const tfjs: number[] = [];
  const torch: number[] = [];
  let version = '';
  let threads = 0;
  const runTorch = () => {
    const run = runTorchReference({
      batchSize: o.referenceBatch, imageSize: o.imageSize, classes: BENCH_CLASSES,
      warmup: o.warmup, steps: o.referenceSteps, threads: o.torchThreads,
    });
    [version, threads] = [run.torchVersion, run.threads];
    torch.push(stepRate(o.referenceBatch, run.stepMs).imagesPerSecond);
  };
  const runTfjs = async () => tfjs.push((await timeReferenceCnn(o, losses, o.warmup, o.referenceSteps)).imagesPerSecond);
  for (let round = 0; round < o.torchRounds; round++) {
    const order = round % 2 === 0 ? [runTfjs, runTorch] : [runTorch, runTfjs];
    for (const side of order) await side();
  }
  return {
    torchVersion: version, threads, tfjsBackend: backend, tfjsThreads,
    tfjsImagesPerSecond: tfjs, torchImagesPerSecond: torch, tfjsOverTorch: medianRatio(tfjs, torch),
  };
}

/** Every thread count worth a row: one thread, and what `auto` gives when that is more. */
export function benchWasmThreads(): number[] {
  const auto = resolveWasmThreads('auto');
  return auto > 1 ? [1, auto] : [1];
}

/** Leaves the last backend tried active; callers re-select theirs. */
export async function runThroughput(o: ThroughputOptions, log: (line: string) => void): Promise<ThroughputResult> {
  const losses = createContainer().get<LossRegistry>(TOKENS.LossRegistry);
  const result: ThroughputResult = { backends: [], unavailable: [], torch: { absent: 'not run' }, nativeTorch: { absent: 'not run' } };
  const configurations = o.backends.flatMap((name): { name: BackendName; threads?: number }[] =>
    name === 'wasm' ? o.wasmThreads.map((threads) => ({ name, threads })) : [{ name }],
  );
  for (const { name, threads } of configurations) {
    if (name === 'cpu' && o.cpuSteps === 0) {
      result.unavailable.push({ backend: 'cpu', reason: 'skipped (cpu steps = 0; one reference-CNN step takes ~1 min)' });
      continue;
    }
    const info = await tryBackend(name, threads);
    if (typeof info === 'string') {
      result.unavailable.push({ backend: name, reason: info });
      continue;
    }
    log(`throughput: ${info.name} (${info.detail})`);
    const isCpu = info.name === 'cpu';
    const referenceCnn = isCpu ? await timeReferenceCnn(o, losses, 0, o.cpuSteps) : await timeReferenceCnn(o, losses, o.warmup, o.referenceSteps);
    const multiLabel = isCpu ? null : await timeMultiLabel(o, losses);
    result.backends.push({ backend: info.name, detail: info.detail, threads: info.threads, referenceCnn, multiLabel });
  }
  const portable = result.backends
    .filter((b) => PORTABLE_BACKENDS.includes(b.backend) && b.referenceCnn)
    .sort((a, b) => b.referenceCnn!.imagesPerSecond - a.referenceCnn!.imagesPerSecond);
  const absent = o.torchRounds === 0 ? 'skipped (torch rounds = 0)' : torchUnavailableReason();
  if (absent !== undefined) result.torch = { absent };
  else if (portable.length === 0) result.torch = { absent: 'no portable tfjs backend (wasm, cpu) was measured to compare with' };
  else {
    const best = portable[0];
    log(`throughput: PyTorch vs ${best.detail}, ${o.torchRounds} alternating rounds`);
    result.torch = await compareWithTorch(o, losses, best.backend as BackendName, best.threads);
  }
  const native = result.backends.find((b) => b.backend === 'tensorflow' && b.referenceCnn);
  if (absent !== undefined) result.nativeTorch = { absent };
  else if (!native) result.nativeTorch = { absent: 'the tensorflow backend was not measured' };
  else {
    log(`throughput: PyTorch vs ${native.detail}, ${o.torchRounds} alternating rounds`);
    result.nativeTorch = await compareWithTorch(o, losses, 'tensorflow');
  }
  return result;
}
