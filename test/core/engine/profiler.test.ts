import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf } from '../../../src/core/tf';
import { initBackend } from '../../../src/core/backend/init';
import { createContainer, TOKENS } from '../../../src/core/container';
import type { TaskRegistry } from '../../../src/core/registry/task-registry';
import { RUN_FILES, type RunSummary, type TrainingEngine } from '../../../src/core/engine/run';
import { formatProfile, Profiler, PROFILE_SECTIONS } from '../../../src/core/engine/profiler';

/** A clock that returns the given times in order (milliseconds). */
function fakeClock(times: number[]): jest.Mock<number, []> {
  return jest.fn(() => {
    const t = times.shift();
    if (t === undefined) throw new Error('fake clock: read more often than expected');
    return t;
  });
}

describe('Profiler (fake clock)', () => {
  test('charges each lap to its section; sections add up to the wall time', () => {
    const clock = fakeClock([1000, 1500, 1600, 3600, 3700, 4000]);
    const p = new Profiler(true, clock);
    p.lap('setup'); // 500
    p.lap('data'); // 100
    p.lap('step'); // 2000
    p.lap('data'); // 100
    p.lap('checkpoint'); // 300
    const r = p.report();
    expect(r.wallSeconds).toBeCloseTo(3, 12);
    const seconds = Object.fromEntries(r.sections.map((e) => [e.section, e.seconds]));
    expect(seconds).toEqual({ setup: 0.5, data: 0.2, step: 2, update: 0, ema: 0, evaluation: 0, checkpoint: 0.3, logging: 0, 'final save': 0 });
    expect(r.sections.map((e) => e.section)).toEqual([...PROFILE_SECTIONS]);
    expect(r.sections.find((e) => e.section === 'step')!.share).toBeCloseTo(2 / 3, 12);
    expect(r.sections.reduce((s, e) => s + e.share, 0)).toBeCloseTo(1, 12);
  });

  test('settle runs before the clock is read, so its wait is charged to its own section', () => {
    let now = 0;
    const p = new Profiler(true, () => now);
    p.lap('update', () => {
      now += 40; // the device finishing the update
    });
    p.lap('logging');
    expect(p.report().sections.find((e) => e.section === 'update')!.seconds).toBeCloseTo(0.04, 12);
  });

  test('off: no clock read, no settle, and no report', () => {
    const clock = fakeClock([]);
    const settle = jest.fn();
    const p = new Profiler(false, clock);
    p.lap('update', settle);
    p.lap('data');
    expect(clock).not.toHaveBeenCalled();
    expect(settle).not.toHaveBeenCalled();
    expect(() => p.report()).toThrow('profiling is off');
  });

  test('formatProfile: one line per section with seconds and percent, and the total', () => {
    const p = new Profiler(true, fakeClock([0, 250, 1000]));
    p.lap('data');
    p.lap('step');
    const text = formatProfile(p.report());
    expect(text).toContain('(1.0 s)');
    expect(text).toMatch(/waiting for data\s+0\.25 s\s+25\.0 %/);
    expect(text).toMatch(/forward \+ loss \+ backward\s+0\.75 s\s+75\.0 %/);
    expect(text).toMatch(/total\s+1\.00 s\s+100\.0 %/);
    expect(text.split('\n')).toHaveLength(PROFILE_SECTIONS.length + 2);
  });
});

describe('trainRun with profile (tiny multi-label run, wasm)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asl-profile-'));
  let tasks: TaskRegistry;
  let engine: TrainingEngine;

  beforeAll(async () => {
    await initBackend('wasm');
    const container = createContainer();
    tasks = container.get<TaskRegistry>(TOKENS.TaskRegistry);
    engine = container.get<TrainingEngine>(TOKENS.TrainingEngine);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function tinyRun(name: string, profile: boolean): Promise<{ summary: RunSummary; logged: string[]; onDisk: RunSummary }> {
    const config = tasks.get('multilabel').defaults();
    config.data.builtinOptions = { trainCount: 24, valCount: 8, cacheDir: path.join(dir, 'cache') };
    config.model.imageSize = 16;
    config.train = { ...config.train, epochs: 2, batchSize: 8, logEvery: 1 };
    const logged: string[] = [];
    const runDir = path.join(dir, name);
    const summary = await engine.train(tasks.get('multilabel'), config, runDir, { log: (l: string) => logged.push(l) }, false, { profile });
    return { summary, logged, onDisk: JSON.parse(fs.readFileSync(path.join(runDir, RUN_FILES.metrics), 'utf8')) };
  }

  test('prints the table, saves it in metrics.json; the sections add up to the wall time', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const { summary, logged, onDisk } = await tinyRun('profiled', true);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const table = logged.find((l) => l.startsWith('profile:'))!;
    for (const label of ['waiting for data', 'forward + loss + backward', 'optimiser update', 'EMA', 'evaluation', 'checkpoint writes', 'logging']) {
      expect(table).toContain(label);
    }
    const profile = onDisk.profile!;
    expect(profile).toEqual(summary.profile);
    const total = profile.sections.reduce((s, e) => s + e.seconds, 0);
    expect(total).toBeCloseTo(profile.wallSeconds, 9);
    expect(profile.sections.reduce((s, e) => s + e.share, 0)).toBeCloseTo(1, 9);
    // Everything this run does happened at least once; the run's own wall clock includes the profile's.
    for (const e of profile.sections) expect(e.seconds).toBeGreaterThan(0);
    expect(profile.wallSeconds).toBeLessThanOrEqual(summary.wallSeconds + 0.5);
    expect(profile.wallSeconds).toBeGreaterThan(0.5 * summary.wallSeconds);
  });

  test('peak RSS in the summary; no profile without the option', async () => {
    const { summary, logged, onDisk } = await tinyRun('plain', false);
    expect(onDisk.profile).toBeUndefined();
    expect(logged.some((l) => l.startsWith('profile:'))).toBe(false);
    // maxRSS is the peak so far, so at least what the process holds now.
    expect(summary.peakRssMiB).toBeGreaterThanOrEqual((0.99 * process.memoryUsage().rss) / 2 ** 20);
    expect(onDisk.peakRssMiB).toBe(summary.peakRssMiB);
  });
});
