/**
 * The built-in pretrained backbones, in process, on a tiny recipe ($ASL_RUN_PRETRAIN_RECIPE): one
 * key gives the same weights in two caches, a second call trains nothing, an unusable entry is
 * trained again, a failed pretraining or an unwritable cache leaves nothing behind, and a
 * `pretrained: builtin` run starts from exactly the cached weights.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The model of each run right after initFrom loaded it (before any step), by saved weight name. */
const loadedWeights: Map<string, Float32Array>[] = [];
jest.mock('../../../src/core/engine/init-from', () => {
  const actual = jest.requireActual<typeof import('../../../src/core/engine/init-from')>('../../../src/core/engine/init-from');
  return {
    ...actual,
    initFrom: (...args: Parameters<typeof actual.initFrom>) => {
      const report = actual.initFrom(...args);
      loadedWeights.push(new Map(args[0].weights.map((w) => [w.originalName, (w.read().dataSync() as Float32Array).slice()])));
      return report;
    },
  };
});

import { tf } from '../../../src/core/tf';
import { initBackend } from '../../../src/core/backend/init';
import { createContainer, TOKENS } from '../../../src/core/container';
import type { TaskRegistry } from '../../../src/core/registry/task-registry';
import type { BackboneRegistry } from '../../../src/backbones/registry';
import type { TrainingEngine } from '../../../src/core/engine/run';
import { TrainingInterrupted } from '../../../src/core/engine/trainer';
import { weightsOf } from './saved-weights';
import { ensurePretrained, pretrainConfig, pretrainedKey, RECIPE_ENV, type PretrainRequest, type PretrainServices } from '../../../src/core/engine/pretrained';

const TINY = { data: { builtinOptions: { trainCount: 100, valCount: 100 } }, model: { imageSize: 16 }, train: { epochs: 1, batchSize: 50 } };
const request: PretrainRequest = { backbone: 'resnet-tiny', widthMultiplier: 1, stemStride: 2 };

describe('built-in pretrained backbones (tiny recipe)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asl-run-pretrained-'));
  let services: PretrainServices;
  let engine: TrainingEngine;
  const logged: string[] = [];
  const env = { log: (line: string) => logged.push(line) };
  let previousRecipe: string | undefined;

  beforeAll(async () => {
    previousRecipe = process.env[RECIPE_ENV];
    process.env[RECIPE_ENV] = JSON.stringify(TINY);
    await initBackend('wasm');
    const container = createContainer();
    engine = container.get<TrainingEngine>(TOKENS.TrainingEngine);
    services = { engine, tasks: container.get<TaskRegistry>(TOKENS.TaskRegistry), backbones: container.get<BackboneRegistry>(TOKENS.BackboneRegistry) };
  });
  afterAll(() => {
    if (previousRecipe === undefined) delete process.env[RECIPE_ENV];
    else process.env[RECIPE_ENV] = previousRecipe;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const pretrain = (cacheDir: string, over: Partial<PretrainServices> = {}) => ensurePretrained({ ...services, ...over }, request, { cacheDir, env, run: { quiet: true } });

  describe('two caches, one recipe', () => {
    const [a, b] = [path.join(dir, 'a'), path.join(dir, 'b')];
    let first: Awaited<ReturnType<typeof pretrain>>;

    beforeAll(async () => {
      const tensors = tf.memory().numTensors;
      first = await pretrain(a);
      expect(tf.memory().numTensors).toBe(tensors);
    });

    it('trains into the cache: a run folder of the recipe, without its checkpoint, no temporary left', () => {
      expect(first.trained).toBe(true);
      expect(path.dirname(first.dir)).toBe(a);
      expect(path.basename(first.dir)).toMatch(/^pretrained-resnet-tiny-w1-[0-9a-f]{12}-v1$/);
      expect(fs.readdirSync(first.dir).sort()).toEqual(['config.json', 'log.jsonl', 'metrics.json', 'model']);
      const saved = JSON.parse(fs.readFileSync(path.join(first.dir, 'config.json'), 'utf8'));
      expect(saved).toMatchObject({ task: 'singlelabel', data: { builtin: 'mnist' }, model: { backbone: 'resnet-tiny', imageSize: 16, pretrained: 'none' }, train: { epochs: 1, evalEvery: 1 } });
      expect(fs.readdirSync(a).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    });

    it('gives bit-identical weights under the same key in another cache, and others for another seed', async () => {
      const second = await pretrain(b);
      expect(path.basename(second.dir)).toBe(path.basename(first.dir));
      const [wa, wb] = [weightsOf(path.join(first.dir, 'model')), weightsOf(path.join(second.dir, 'model'))];
      expect([...wb.keys()]).toEqual([...wa.keys()]);
      for (const [name, values] of wa) expect(wb.get(name)).toEqual(values);
      process.env[RECIPE_ENV] = JSON.stringify({ ...TINY, train: { ...TINY.train, seed: 1 } });
      try {
        const other = await pretrain(b);
        expect(other.dir).not.toBe(second.dir);
        expect(weightsOf(path.join(other.dir, 'model')).get('stem_conv/kernel')).not.toEqual(wa.get('stem_conv/kernel'));
      } finally {
        process.env[RECIPE_ENV] = JSON.stringify(TINY);
      }
    });

    it('a second call finds the entry and trains nothing', async () => {
      const train = jest.fn(engine.train.bind(engine));
      const again = await pretrain(a, { engine: { train } });
      expect(train).not.toHaveBeenCalled();
      expect(again).toEqual({ ...first, trained: false });
    });

    it.each([
      ['truncated weights', (entry: string) => fs.truncateSync(path.join(entry, 'model', 'weights.bin'), 100), /weights\.bin: truncated \(100 bytes; model\.json describes \d+\)/],
      ['changed weights', (entry: string) => fs.appendFileSync(path.join(entry, 'model', 'model.json'), ' '), /model\.json: .*SHA256SUMS/],
      ['no summary', (entry: string) => fs.rmSync(path.join(entry, 'metrics.json')), /metrics\.json/],
    ])('an entry with %s is noted, removed and trained again, to the same weights', async (_, damage, reason) => {
      const expected = weightsOf(path.join(first.dir, 'model'));
      damage(first.dir);
      logged.length = 0;
      const redone = await pretrain(a);
      expect(redone.trained).toBe(true);
      expect(redone.dir).toBe(first.dir);
      const note = logged.find((l) => l.includes('unusable'))!;
      expect(note).toMatch(new RegExp(`^asl-run: ${first.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the cached pretrained backbone is unusable \\(.+\\); pretraining it again$`));
      expect(note).toMatch(reason);
      const weights = weightsOf(path.join(redone.dir, 'model'));
      for (const [name, values] of expected) expect(weights.get(name)).toEqual(values);
      expect(fs.readdirSync(a).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    });
  });

  it('the key follows the backbone, its width and stem stride, and the recipe', () => {
    const key = (over: Partial<PretrainRequest>) => pretrainedKey(services.backbones, pretrainConfig(services.tasks, { ...request, ...over }));
    const keys = [key({}), key({ widthMultiplier: 0.5 }), key({ stemStride: 1 }), key({ backbone: 'resnet-small' })];
    expect(new Set(keys).size).toBe(4);
    expect(keys[1]).toMatch(/^pretrained-resnet-tiny-w0\.5-/);
    process.env[RECIPE_ENV] = JSON.stringify({ ...TINY, train: { ...TINY.train, epochs: 2 } });
    try {
      expect(key({})).not.toBe(keys[0]);
    } finally {
      process.env[RECIPE_ENV] = JSON.stringify(TINY);
    }
    // The backend that trains is recorded, not keyed: weights are weights.
    const config = pretrainConfig(services.tasks, request);
    expect(pretrainedKey(services.backbones, { ...config, backend: 'tensorflow' })).toBe(pretrainedKey(services.backbones, { ...config, backend: 'wasm' }));
  });

  describe('failures leave nothing in the cache', () => {
    it('an unknown backbone is one line, before any folder is made', async () => {
      const cacheDir = path.join(dir, 'unknown');
      await expect(ensurePretrained(services, { ...request, backbone: 'nope' }, { cacheDir, env })).rejects.toThrow(
        /^--backbone: unknown backbone 'nope' \(known: resnet-tiny, resnet-small, mobilenet-tiny, mobilenet-small\)$/,
      );
      expect(fs.existsSync(cacheDir)).toBe(false);
    });

    it('a cache that cannot be created is one line naming it', async () => {
      const file = path.join(dir, 'a-file');
      fs.writeFileSync(file, '');
      await expect(pretrain(path.join(file, 'cache'))).rejects.toThrow(`${path.join(file, 'cache')}: cannot create the cache folder (ENOTDIR: not a directory)`);
    });

    it.each([
      ['an error', new Error('boom\nsecond line'), Error, 'pretraining resnet-tiny stopped: boom; nothing of it is kept in the cache'],
      ['Ctrl-C', new TrainingInterrupted('interrupted by Ctrl-C', 130), TrainingInterrupted, 'pretraining resnet-tiny stopped: interrupted by Ctrl-C; nothing of it is kept in the cache'],
    ])('%s during the pretraining: its temporary folder is removed, the error says so', async (_, thrown, kind, message) => {
      const cacheDir = path.join(dir, `failing-${kind.name}`);
      const train = jest.fn(async (_task: unknown, _config: unknown, runDir: string) => {
        fs.writeFileSync(path.join(runDir, 'config.json'), '{}');
        throw thrown;
      });
      const failure = pretrain(cacheDir, { engine: { train } as unknown as PretrainServices['engine'] });
      await expect(failure).rejects.toThrow(message);
      await expect(failure).rejects.toBeInstanceOf(kind);
      if (thrown instanceof TrainingInterrupted) await expect(failure).rejects.toHaveProperty('exitCode', 130);
      expect(fs.readdirSync(cacheDir)).toEqual([]);
    });
  });

  it('a pretrained: builtin detection run starts from exactly the cached weights (backbone), the rest fresh', async () => {
    const cacheDir = path.join(dir, 'run-cache');
    const cached = await pretrain(cacheDir);
    const task = services.tasks.get('detection');
    const config = task.defaults();
    config.data.builtinOptions = { trainCount: 8, valCount: 2, cacheDir };
    config.model = { ...config.model, imageSize: 32, pretrained: 'builtin' };
    config.train = { ...config.train, epochs: 1, batchSize: 4, ema: { ...config.train.ema, enabled: false } };
    loadedWeights.length = 0;
    logged.length = 0;
    const tensors = tf.memory().numTensors;
    await engine.train(task, config, path.join(dir, 'detection'), env, false, { quiet: true });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(logged).toContain('asl-run: --pretrained builtin: resnet-tiny (width 1, stem stride 2) found in the cache (top-1 ' + cached.top1.toFixed(2) + ' % on its validation digits)');
    expect(logged.filter((l) => l.startsWith(`asl-run: --pretrained builtin ${cached.dir}: loaded `))).toHaveLength(1);
    expect(loadedWeights).toHaveLength(1);
    const source = weightsOf(path.join(cached.dir, 'model'));
    const backbone = [...source.keys()].filter((n) => !n.startsWith('head_logits/'));
    expect(backbone.length).toBeGreaterThan(40);
    for (const name of backbone) expect(loadedWeights[0].get(name)).toEqual(source.get(name));
    const rest = [...loadedWeights[0].keys()].filter((n) => !source.has(n));
    expect(rest.some((n) => n.startsWith('fpn_'))).toBe(true);
  });
});
