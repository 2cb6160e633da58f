/**
 * The benchmark suite: the settings of the full and quick modes, and `runSuite`, which runs the
 * selected benchmarks in one process and gathers every figure with the machine it ran on.
 */
import * as os from 'os';
import { tf } from '../core/tf';
import { initBackend, type BackendInfo, type BackendName } from '../core/backend/init';
import { benchWasmThreads, runThroughput, type ThroughputOptions, type ThroughputResult } from './throughput';
import { runLossStep, type LossStepOptions, type LossStepResult } from './loss-step';
import { runPipeline, type PipelineOptions, type PipelineResult } from './pipeline';
import { runMemory, type MemoryOptions, type MemoryResult } from './memory';
import { runDetectionShare, type DetectionResult, type DetectionShareOptions } from './detection';
import { runTaskSteps, type TaskStepOptions, type TaskStepsResult } from './task-steps';

export const BENCH_NAMES = ['throughput', 'loss-step', 'detection', 'pipeline', 'tasks', 'memory'] as const;
export type BenchName = (typeof BENCH_NAMES)[number];

export interface SuiteSettings {
  mode: string;
  only: readonly BenchName[];
  /** Backend of figures 2-6 (`auto`: native tensorflow if it loads, else wasm). */
  backend: BackendName;
  throughput: ThroughputOptions;
  lossStep: LossStepOptions;
  detection: DetectionShareOptions;
  pipeline: PipelineOptions;
  tasks: TaskStepOptions;
  memory: MemoryOptions;
}

const ALL_BACKENDS: BackendName[] = ['wasm', 'cpu', 'tensorflow'];

/** The default bench: ~6-8 minutes on a 2-core machine. */
export function fullSettings(): SuiteSettings {
  return {
    mode: 'full',
    only: BENCH_NAMES,
    backend: 'auto',
    throughput: {
      backends: ALL_BACKENDS, wasmThreads: benchWasmThreads(), imageSize: 64, referenceBatch: 32, multiLabelBatch: 64, warmup: 2,
      referenceSteps: 10, multiLabelSteps: 4, cpuSteps: 1, torchRounds: 3, torchThreads: 2,
    },
    lossStep: { imageSize: 64, batchSize: 64, rounds: 10, stepsPerRound: 2 },
    detection: { batchSize: 0, rounds: 6, stepsPerRound: 1 },
    pipeline: { trainCount: 512, imageSize: 64, batchSize: 64, rounds: 4, trainStepsPerRound: 2 },
    tasks: { batchSize: 0, warmupSteps: 1, countedSteps: 2, timedSteps: 4 },
    memory: { imageSize: 64, batchSize: 8, steps: 500, tensorsFromStep: 10, rssFromStep: 100 },
  };
}

/** `--quick`: fewer steps and rounds, no cpu backend; about a minute. */
export function quickSettings(): SuiteSettings {
  const full = fullSettings();
  return {
    ...full,
    mode: 'quick',
    throughput: { ...full.throughput, warmup: 1, referenceSteps: 4, multiLabelSteps: 2, cpuSteps: 0, torchRounds: 1 },
    lossStep: { ...full.lossStep, rounds: 4 },
    detection: { ...full.detection, batchSize: 8, rounds: 2 },
    pipeline: { ...full.pipeline, rounds: 2, trainStepsPerRound: 1 },
    tasks: { ...full.tasks, batchSize: 8, countedSteps: 1, timedSteps: 2 },
    memory: { ...full.memory, steps: 60, rssFromStep: 30 },
  };
}

/**
 * `--tiny`: small images and batches, one or two steps of everything. For a backend that runs
 * the quick bench for hours (a software WebGPU adapter): it shows that every figure runs there and
 * counts its host reads; its images/s compare with no other mode's.
 */
export function tinySettings(): SuiteSettings {
  const full = fullSettings();
  return {
    ...full,
    mode: 'tiny',
    throughput: { ...full.throughput, imageSize: 32, referenceBatch: 8, multiLabelBatch: 8, warmup: 1, referenceSteps: 2, multiLabelSteps: 2, cpuSteps: 0, torchRounds: 0 },
    lossStep: { imageSize: 32, batchSize: 8, rounds: 2, stepsPerRound: 1 },
    detection: { ...full.detection, batchSize: 2, rounds: 1 },
    pipeline: { trainCount: 64, imageSize: 32, batchSize: 8, rounds: 1, trainStepsPerRound: 1 },
    tasks: { batchSize: 2, warmupSteps: 1, countedSteps: 1, timedSteps: 1 },
    memory: { imageSize: 32, batchSize: 2, steps: 12, tensorsFromStep: 10, rssFromStep: 10 },
  };
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  totalMemoryMB: number;
  platform: string;
  node: string;
  tfjs: string;
  /** The backend of figures 2-6. */
  backend: BackendInfo;
}

export interface SuiteResults {
  mode: string;
  startedAt: string;
  seconds: number;
  machine: MachineInfo;
  /** Reference CNN images/s, best portable tfjs backend / PyTorch CPU (null without PyTorch). */
  tfjs_over_torch: number | null;
  /** Reference CNN images/s, native tensorflow / PyTorch CPU (null without either). */
  tensorflow_over_torch: number | null;
  /** Training-step time with ASL / with BCE (figure 2). */
  asl_over_bce: number | null;
  throughput: ThroughputResult | null;
  lossStep: LossStepResult | null;
  detection: DetectionResult | null;
  pipeline: PipelineResult | null;
  tasks: TaskStepsResult | null;
  memory: MemoryResult | null;
}

/**
 * Every figure after the first runs on this backend. Figure 1 may have left another one active,
 * and `initBackend('auto')` keeps whatever is active, so `auto` is resolved here: native
 * tensorflow if it loads, else wasm.
 */
async function selectMainBackend(requested: BackendName): Promise<BackendInfo> {
  if (requested !== 'auto') return initBackend(requested);
  try {
    return await initBackend('tensorflow');
  } catch {
    return initBackend('wasm');
  }
}

export async function runSuite(settings: SuiteSettings, log: (line: string) => void = () => undefined): Promise<SuiteResults> {
  const started = Date.now();
  const wants = (name: BenchName) => settings.only.includes(name);
  const throughput = wants('throughput') ? await runThroughput(settings.throughput, log) : null;
  const backend = await selectMainBackend(settings.backend);
  log(`main backend: ${backend.name} (${backend.detail})`);
  const results: SuiteResults = {
    mode: settings.mode,
    startedAt: new Date(started).toISOString(),
    seconds: 0,
    machine: {
      cpuModel: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, totalMemoryMB: Math.round(os.totalmem() / 2 ** 20),
      platform: `${os.platform()} ${os.arch()} ${os.release()}`, node: process.version, tfjs: tf.version.tfjs, backend,
    },
    tfjs_over_torch: throughput && 'tfjsOverTorch' in throughput.torch ? throughput.torch.tfjsOverTorch : null,
    tensorflow_over_torch: throughput && 'tfjsOverTorch' in throughput.nativeTorch ? throughput.nativeTorch.tfjsOverTorch : null,
    asl_over_bce: null,
    throughput,
    lossStep: null,
    detection: null,
    pipeline: null,
    tasks: null,
    memory: null,
  };
  if (wants('loss-step')) {
    log('loss-step: ASL vs BCE training steps, interleaved');
    results.lossStep = await runLossStep(settings.lossStep);
    results.asl_over_bce = results.lossStep.aslOverBce;
  }
  if (wants('detection')) results.detection = await runDetectionShare(settings.detection, log);
  if (wants('pipeline')) {
    log('pipeline: BatchLoader epochs vs training steps, interleaved');
    results.pipeline = await runPipeline(settings.pipeline);
  }
  if (wants('tasks')) results.tasks = await runTaskSteps(settings.tasks, log);
  // Last, so that its peak RSS covers every benchmark before it.
  if (wants('memory')) {
    log(`memory: ${settings.memory.steps} training steps`);
    results.memory = await runMemory(settings.memory);
  }
  results.seconds = (Date.now() - started) / 1000;
  return results;
}
