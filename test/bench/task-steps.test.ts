import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { tf } from '../../src/core/tf';
import { initBackend } from '../../src/core/backend/init';
import { median } from '../../src/bench/timing';
import { runTaskSteps, TASK_STEP_WORKLOADS, type TaskStepsResult } from '../../src/bench/task-steps';
import { formatReport, readResults, targetChecks, writeResults } from '../../src/bench/report';
import type { SuiteResults } from '../../src/bench/suite';

let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'asl-bench-tasks-'));
  await initBackend('wasm');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

describe('figure 6: Trainer steps of every task, tiny batches on wasm', () => {
  let result: TaskStepsResult;
  let tensorsBefore: number;
  const dataSync = tf.Tensor.prototype.dataSync;

  beforeAll(async () => {
    tensorsBefore = tf.memory().numTensors;
    result = await runTaskSteps({ batchSize: 2, warmupSteps: 1, countedSteps: 2, timedSteps: 2, cacheDir: join(dir, 'cache') });
  });

  test('runs each workload once and leaves no tensors behind and no counter running', () => {
    expect(result.failed).toEqual([]);
    expect(result.workloads.map((w) => w.workload)).toEqual(TASK_STEP_WORKLOADS.map((w) => w.name));
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(tf.Tensor.prototype.dataSync).toBe(dataSync);
  });

  test('images/s is the batch over the median of the timed steps', () => {
    for (const w of result.workloads) {
      expect(w.batchSize).toBe(2);
      expect(w.stepMs).toHaveLength(2);
      expect(w.stepMs.every((ms) => ms > 0)).toBe(true);
      expect(w.imagesPerSecond).toBeCloseTo((2 * 1000) / median(w.stepMs), 8);
    }
  });

  test('reads per step add up over their sites, every site a file:line of this package', () => {
    for (const w of result.workloads) {
      const sites = Object.entries(w.hostReadSites);
      expect(sum(sites.filter(([s]) => !s.startsWith('kernel ')).map(([, n]) => n))).toBe(w.hostReadsPerStep);
      expect(sum(sites.filter(([s]) => s.startsWith('kernel ')).map(([, n]) => n))).toBe(w.kernelReadsPerStep);
      for (const [site] of sites) expect(site).toMatch(/^(kernel \S+ ← )?src\/[\w/.-]+\.ts:\d+$/);
    }
  });

  test('the reads come from where the step reads: the Trainer every time, the YOLOX assigner and the multilabel diagnostics', () => {
    const sitesOf = (name: string) => Object.keys(result.workloads.find((w) => w.workload === name)!.hostReadSites);
    for (const w of result.workloads) expect(Object.keys(w.hostReadSites).some((s) => s.startsWith('src/core/engine/trainer.ts:'))).toBe(true);
    expect(sitesOf('yolox').some((s) => s.startsWith('src/tasks/detection/yolox/yolox-task.ts:'))).toBe(true);
    expect(sitesOf('multilabel').some((s) => s.startsWith('src/tasks/multilabel/multilabel-task.ts:'))).toBe(true);
    expect(sitesOf('singlelabel').every((s) => s.startsWith('src/core/engine/') || s.startsWith('kernel '))).toBe(true);
  });

  test('the report prints each workload with its reads by site', () => {
    const results = { machine: { backend: { name: 'wasm', detail: 'wasm' } }, tasks: result } as unknown as SuiteResults;
    const report = formatReport({ ...results, mode: 'test', seconds: 1, machine: { ...results.machine, cpuModel: 'cpu', cores: 2, node: 'v20', tfjs: '4.22.0' } } as SuiteResults, []);
    const yolox = result.workloads.find((w) => w.workload === 'yolox')!;
    expect(report).toContain('6. Trainer steps on wasm');
    expect(report).toContain(`  yolox (detection, batch 2, ${yolox.imageSize} px): ${yolox.imagesPerSecond!.toFixed(1)} images/s, ${yolox.hostReadsPerStep.toFixed(1)} host reads/step`);
  });
});

test('bad settings are refused with one line naming the setting', async () => {
  await expect(runTaskSteps({ batchSize: 2, warmupSteps: 1, countedSteps: 0, timedSteps: 0 })).rejects.toThrow(/^bench tasks: countedSteps must be an integer >= 1, got 0$/);
  await expect(runTaskSteps({ batchSize: 2, warmupSteps: 1, countedSteps: 1, timedSteps: 0, workloads: ['ssd'] })).rejects.toThrow(
    /^bench tasks: unknown workload 'ssd' \(known: multilabel, singlelabel, fcos, yolox\)$/,
  );
});

describe('bench/results.json keeps the last run of each main backend', () => {
  const run = (backend: string, seconds: number) =>
    ({ mode: 'test', seconds, machine: { backend: { name: backend, detail: backend } }, tasks: null } as unknown as SuiteResults);

  test('a run on another backend is added beside the first; a second run on the same backend replaces it', () => {
    const file = join(dir, 'merge', 'results.json');
    writeResults(file, run('wasm', 1), []);
    writeResults(file, run('webgpu', 2), targetChecks(run('webgpu', 2)));
    writeResults(file, run('wasm', 3), []);
    const written = JSON.parse(readFileSync(file, 'utf8'));
    expect(Object.keys(written.byBackend).sort()).toEqual(['wasm', 'webgpu']);
    expect(written.byBackend.wasm.seconds).toBe(3);
    expect(written.byBackend.webgpu.seconds).toBe(2);
    expect(written.byBackend.webgpu.targets.length).toBeGreaterThan(0);
  });

  test('a file in the one-run layout is kept under its backend', () => {
    const file = join(dir, 'old.json');
    writeFileSync(file, JSON.stringify({ ...run('wasm', 7), targets: [] }));
    writeResults(file, run('webgpu', 8), []);
    const { byBackend } = readResults(file);
    expect(byBackend.wasm.seconds).toBe(7);
    expect(byBackend.webgpu.seconds).toBe(8);
  });

  test('a file that is not a results file is refused, naming it, and left as it was', () => {
    const file = join(dir, 'garbage.json');
    writeFileSync(file, '{"hello": 1}');
    expect(() => writeResults(file, run('wasm', 1), [])).toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not a bench results file`));
    writeFileSync(file, 'not json');
    expect(() => readResults(file)).toThrow(/: not a bench results file \(/);
    expect(readFileSync(file, 'utf8')).toBe('not json');
  });
});
