import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { tf } from '../../src/core/tf';
import { initBackend } from '../../src/core/backend/init';
import { interleave, interleaveSides, median, medianRatio, nowMs } from '../../src/bench/timing';
import { FCOS_WORKLOAD, runDetectionShare, type DetectionWorkload } from '../../src/bench/detection';
import { fullSettings, quickSettings, runSuite, tinySettings as tinyMode, type SuiteResults, type SuiteSettings } from '../../src/bench/suite';
import { formatReport, targetChecks, writeResults } from '../../src/bench/report';

let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'asl-bench-'));
  await initBackend('wasm');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const positiveFinite = (v: number) => Number.isFinite(v) && v > 0;

describe('timing helpers', () => {
  test('median and medianRatio against hand-computed values', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    // Per-round ratios 2, 0.5, 3 → median 2; the ratio of the medians would be 2 / 2 = 1.
    expect(medianRatio([2, 1, 6], [1, 2, 2])).toBe(2);
    expect(() => median([])).toThrow('median of no values');
  });

  test('interleave alternates the order every round: A B, B A, A B', async () => {
    const calls: string[] = [];
    const { a, b } = await interleave(3, () => calls.push('A'), () => calls.push('B'));
    expect(calls).toEqual(['A', 'B', 'B', 'A', 'A', 'B']);
    expect(a).toHaveLength(3);
    expect(b).toHaveLength(3);
  });

  test('interleaveSides reverses the order every other round and times each side', async () => {
    const calls: string[] = [];
    const busy = (ms: number) => {
      const end = nowMs() + ms;
      while (nowMs() < end);
    };
    const seconds = await interleaveSides(2, ['A', 'B', 'C'].map((name, i) => () => {
      calls.push(name);
      busy(5 * i);
    }));
    expect(calls).toEqual(['A', 'B', 'C', 'C', 'B', 'A']);
    expect(seconds.map((s) => s.length)).toEqual([2, 2, 2]);
    expect(Math.min(...seconds[2])).toBeGreaterThanOrEqual(0.01);
  });
});

/** Tiny sizes: every benchmark path, a few seconds. */
function tinySettings(): SuiteSettings {
  const quick = quickSettings();
  return {
    ...quick,
    mode: 'test',
    only: ['loss-step', 'detection', 'pipeline', 'memory'],
    backend: 'wasm',
    lossStep: { imageSize: 16, batchSize: 2, rounds: 2, stepsPerRound: 1 },
    detection: { batchSize: 2, rounds: 2, stepsPerRound: 1, cacheDir: join(dir, 'cache') },
    pipeline: { trainCount: 16, imageSize: 16, batchSize: 4, rounds: 2, trainStepsPerRound: 1, cacheDir: join(dir, 'cache') },
    memory: { imageSize: 16, batchSize: 2, steps: 14, tensorsFromStep: 10, rssFromStep: 12 },
  };
}

describe('runSuite (tiny sizes, in-process)', () => {
  let results: SuiteResults;
  let tensorsBefore: number;

  beforeAll(async () => {
    tensorsBefore = tf.memory().numTensors;
    results = await runSuite(tinySettings());
  });

  test('leaves no tensors behind', () => {
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  test('records the machine and the backend it ran on', () => {
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(results.machine.node).toBe(process.version);
    expect(results.machine.backend.name).toBe('wasm');
    expect(results.mode).toBe('test');
  });

  test('figure 2: ASL/BCE is the median of per-round ratios of positive step times', () => {
    const l = results.lossStep!;
    expect(l.aslStepMs).toHaveLength(2);
    expect([...l.aslStepMs, ...l.bceStepMs].every(positiveFinite)).toBe(true);
    expect(results.asl_over_bce).toBe(l.aslOverBce);
    expect(l.aslOverBce).toBeCloseTo(median(l.aslStepMs.map((t, i) => t / l.bceStepMs[i])), 10);
  });

  test('figure 4: the pipeline read every built-in training image each round', () => {
    const p = results.pipeline!;
    expect(p.images).toBe(16); // 16 images, batch 4, drop-last: 4 full batches
    expect(p.dataset).toMatch(/^mnist-multilabel-/);
    expect([...p.pipelineImagesPerSecond, ...p.trainingImagesPerSecond].every(positiveFinite)).toBe(true);
    expect(positiveFinite(p.pipelineOverTraining)).toBe(true);
  });

  test('figure 5: tensor counts, RSS and peak RSS', () => {
    const m = results.memory!;
    expect(m.tensorsAfterLastStep).toBe(m.tensorsAfterFromStep);
    expect([m.rssAfterFromStepMiB, m.rssAfterLastStepMiB, m.peakRssMiB, m.medianStepMs].every(positiveFinite)).toBe(true);
    expect(m.peakRssMiB).toBeGreaterThanOrEqual(m.rssAfterLastStepMiB * 0.99);
    expect(m.rssGrowthPercent).toBeCloseTo(100 * (m.rssAfterLastStepMiB / m.rssAfterFromStepMiB - 1), 8);
  });

  test('figure 3: the default detector, share = median over rounds of (a + b - c) / (a + b)', () => {
    expect(results.detection!.failed).toEqual([]);
    const [w] = results.detection!.workloads;
    expect(w).toMatchObject({ workload: 'fcos', task: 'detection', batchSize: 2, imageSize: 128, rounds: 2 });
    const a = w.targetMs!;
    expect([...a, ...w.stepMs, ...w.trivialLossStepMs].every(positiveFinite)).toBe(true);
    expect([a.length, w.stepMs.length, w.trivialLossStepMs.length]).toEqual([2, 2, 2]);
    const perRound = w.stepMs.map((b, i) => (a[i] + b - w.trivialLossStepMs[i]) / (a[i] + b));
    expect(w.shareOfStep).toBeCloseTo((perRound[0] + perRound[1]) / 2, 10);
    expect(w.lossMs).toBeCloseTo((w.stepMs[0] - w.trivialLossStepMs[0] + w.stepMs[1] - w.trivialLossStepMs[1]) / 2, 10);
  });

  test('figures not run are null', () => {
    expect(results.throughput).toBeNull();
    expect(results.tfjs_over_torch).toBeNull();
  });

  test('target checks, table and results.json', () => {
    const checks = targetChecks(results);
    const byName = (prefix: string) => checks.find((c) => c.name.startsWith(prefix))!;
    expect(byName('tfjs / PyTorch').status).toBe('n/a');
    expect(byName('ASL / BCE').value).toBe(results.asl_over_bce);
    expect(byName('ASL / BCE').status).toBe(results.asl_over_bce! <= 1.05 ? 'pass' : 'FAIL');
    expect(byName('live tensors')).toMatchObject({ value: 0, status: 'pass' });
    expect(byName('detection (fcos)').value).toBe(results.detection!.workloads[0].shareOfStep);
    expect(formatReport(results, checks)).toContain('ASL / BCE training-step time');
    expect(formatReport(results, checks)).toMatch(/3\. Detection fcos \(detection, batch 2, 128 px/);
    const file = writeResults(join(dir, 'out', 'results.json'), results, checks);
    const written = JSON.parse(readFileSync(file, 'utf8')).byBackend.wasm;
    expect(written.asl_over_bce).toBe(results.asl_over_bce);
    expect(written.tfjs_over_torch).toBeNull();
    expect(written.targets).toHaveLength(checks.length);
  });
});

test('figure 3 times the loader target function as (a): a target function that takes 15 ms per image shows as >= 15 ms per image', async () => {
  const slow: DetectionWorkload = {
    ...FCOS_WORKLOAD,
    name: 'slow-targets',
    loaderTargets: (config) => {
      const fcos = FCOS_WORKLOAD.loaderTargets!(config);
      return (record, info) => {
        const end = nowMs() + 15;
        while (nowMs() < end);
        return fcos(record, info);
      };
    },
  };
  const tensorsBefore = tf.memory().numTensors;
  const { workloads: [w] } = await runDetectionShare({ batchSize: 2, rounds: 2, stepsPerRound: 1, cacheDir: join(dir, 'cache') }, undefined, [slow]);
  expect(tf.memory().numTensors).toBe(tensorsBefore);
  expect(w.workload).toBe('slow-targets');
  expect(Math.min(...w.targetMs!)).toBeGreaterThanOrEqual(2 * 15);
  // The steps take no part in (a): it stays within a few ms of the busy waits (slack for a loaded machine).
  expect(median(w.targetMs!)).toBeLessThan(2 * 15 + 25);
});

test('quick mode is a lighter version of the full bench', () => {
  const [full, quick] = [fullSettings(), quickSettings()];
  expect(quick.memory.steps).toBeLessThan(full.memory.steps);
  expect(full.memory).toMatchObject({ steps: 500, tensorsFromStep: 10, rssFromStep: 100 });
  expect(quick.throughput.cpuSteps).toBe(0);
  expect(full.throughput).toMatchObject({ referenceBatch: 32, multiLabelBatch: 64, imageSize: 64, torchThreads: 2 });
});

test('tiny mode takes fewer images than quick mode in every figure', () => {
  const [quick, tiny] = [quickSettings(), tinyMode()];
  const images = (s: SuiteSettings) => [
    s.throughput.referenceBatch * (s.throughput.warmup + s.throughput.referenceSteps) * s.throughput.imageSize ** 2,
    s.lossStep.batchSize * s.lossStep.rounds * s.lossStep.stepsPerRound * s.lossStep.imageSize ** 2,
    s.detection.batchSize * s.detection.rounds * s.detection.stepsPerRound,
    s.pipeline.trainCount * s.pipeline.rounds * s.pipeline.imageSize ** 2,
    s.tasks.batchSize * (s.tasks.warmupSteps + s.tasks.countedSteps + s.tasks.timedSteps),
    s.memory.batchSize * s.memory.steps * s.memory.imageSize ** 2,
  ];
  images(tiny).forEach((n, figure) => expect(n).toBeLessThan(images(quick)[figure]));
  expect(tiny.throughput.torchRounds).toBe(0);
});

test("backend 'auto' for figures 2-6 is native tensorflow or wasm, even after figure 1 left cpu active", async () => {
  await initBackend('cpu');
  const results = await runSuite({ ...tinySettings(), only: ['memory'], backend: 'auto' });
  expect(['tensorflow', 'wasm']).toContain(results.machine.backend.name);
  expect(tf.getBackend()).toBe(results.machine.backend.name);
});
