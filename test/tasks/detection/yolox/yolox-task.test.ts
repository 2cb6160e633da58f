import { tf } from '../../../../src/core/tf';
import { initBackend } from '../../../../src/core/backend/init';
import { registerCustomLayers } from '../../../../src/backbones/custom-layers';
import { LossRegistry } from '../../../../src/core/registry/loss-registry';
import { bcePlugin } from '../../../../src/losses/bce';
import { aslPlugin } from '../../../../src/losses/asymmetric';
import { crossEntropyPlugin } from '../../../../src/losses/cross-entropy';
import type { Batch } from '../../../../src/core/engine/task';
import { headOptions } from '../../../../src/tasks/detection/options';
import { locationGrid } from '../../../../src/tasks/detection/locations';
import type { BoxesToAssign } from '../../../../src/tasks/detection/targets';
import { buildDetector } from '../../../../src/tasks/detection/model';
import { DetectionAdapter } from '../../../../src/tasks/detection/evaluation';
import { yoloxLossTargets } from '../../../../src/tasks/detection/heads/yolox/loss-targets';
import { CenterPriorAssigner } from '../../../../src/tasks/detection/heads/yolox/assigner';
import { CLASSES, SCENES, SIZE, sceneImages, sceneValidation, generatedValImages, useTemporaryCache, adamSteps } from '../synthetic-scenes';
import { backbones, detectionTaskWith, yoloxHead } from '../task-fixture';
import { Registry } from '../../../../src/core/registry/registry';
import { createYoloxHead, simOtaAssigner, type AssignerEntry } from '../../../../src/tasks/detection/heads/yolox';

const items = (scenes = SCENES): BoxesToAssign[] => scenes.map((s) => ({ boxes: s.boxes, labels: s.labels, ignore: s.labels.map(() => false) }));
const losses = new LossRegistry();
[bcePlugin, aslPlugin, crossEntropyPlugin].forEach((p) => losses.register(p));
const detectionTask = detectionTaskWith(losses);

function setup(taskOptions: Record<string, unknown> = {}) {
  const config = detectionTask.defaults({ head: 'yolox' });
  config.model.imageSize = SIZE;
  const options = headOptions(yoloxHead, { ...config.taskOptions, ...taskOptions } as never);
  const grid = locationGrid(SIZE, SIZE, options.strides, options.levelBounds);
  const model = buildDetector(yoloxHead, backbones, config, 2, options);
  const batch: Batch<BoxesToAssign> = { images: sceneImages(), shape: [4, SIZE, SIZE, 3], items: items(), records: SCENES.map((_, i) => ({ file: `img${i}.png` })) };
  const { val, groundTruth } = sceneValidation();
  const headLoss = yoloxHead.createLoss({ grid, numClasses: 2, options, criterion: losses.create(config.loss), losses });
  const task = new DetectionAdapter({ head: yoloxHead, model, headLoss, classes: CLASSES, grid, options, val, groundTruth });
  return { task, model, batch, grid, options };
}

describe('YOLOX task adapter', () => {
  beforeAll(async () => {
    await initBackend('wasm');
    registerCustomLayers();
  });

  it('a few Adam steps with SimOTA lower the loss; evaluate gives the COCO stats; no leaks', async () => {
    const { task, model, batch } = setup({ assigner: 'simota' });
    const { history, optimizer } = adamSteps(task, batch, 12, () => task.diagnostics(undefined as never, batch));
    const [first, last] = [history[0], history[history.length - 1]];
    expect(Object.keys(first).sort()).toEqual(['box', 'cls', 'foregroundPerImage', 'meanObjBackground', 'meanObjForeground', 'obj', 'total']);
    expect(first.foregroundPerImage).toBeGreaterThanOrEqual(1);
    // At the 0.01 prior the objectness starts low everywhere; training separates foreground from background.
    expect(first.meanObjForeground).toBeLessThan(0.05);
    expect(last.meanObjForeground).toBeGreaterThan(last.meanObjBackground);
    expect(last.total).toBeLessThan(0.7 * first.total);
    expect(last.box).toBeLessThan(first.box);
    const afterTraining = tf.memory().numTensors;
    const metrics = await task.evaluate();
    expect(Object.keys(metrics)).toEqual(['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm', 'ARl', 'perCategoryAP']);
    expect(metrics.AP50).toBeGreaterThanOrEqual(0);
    expect((task.evaluationFiles()['detections.json'] as unknown[]).length).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(afterTraining);
    optimizer.dispose();
    model.dispose();
  });

  it('images without boxes: only the objectness term, finite, and gradients finite (center prior, ASL objectness)', () => {
    const { task, model, batch } = setup({ assigner: 'center-prior', objLoss: 'asl', objLossParams: { gammaNeg: 2, gammaPos: 0, clip: 0 } }); // (a clip of 0.05 zeroes every negative at the 0.01 prior)
    const empty: Batch<BoxesToAssign> = { ...batch, items: items(SCENES.map(() => ({ boxes: [], labels: [] }))) };
    const before = tf.memory().numTensors;
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { parts, gradOk } = tf.tidy(() => {
      const x = tf.tensor4d(empty.images, empty.shape);
      let p: Record<string, number> = {};
      const { grads } = tf.variableGrads(() => {
        const terms = task.loss(model.apply(x, { training: true }) as tf.Tensor, empty);
        p = Object.fromEntries(Object.entries(terms.parts).map(([k, v]) => [k, v.dataSync()[0]]));
        return terms.total;
      }, vars);
      return { parts: p, gradOk: Object.values(grads).every((g) => Array.from(g.dataSync()).every(Number.isFinite)) };
    });
    expect(parts.box).toBe(0);
    expect(parts.cls).toBe(0);
    expect(parts.obj).toBeGreaterThan(0);
    expect(Number.isFinite(parts.obj)).toBe(true);
    expect(gradOk).toBe(true);
    expect(task.diagnostics(undefined as never, empty).foregroundPerImage).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('a plugin assigner that breaks its contract stops the loss with one line naming its file', () => {
    const assigners = new Registry<AssignerEntry>('assigner', 'taskOptions.assigner', [simOtaAssigner]);
    assigners.register({ name: 'short', description: 'one location short', create: () => ({ name: 'short', assign: (input) => new Int32Array(input.grid.count - 1) }) }, { source: 'short.js' });
    const { model, batch, grid, options } = setup();
    const headLoss = createYoloxHead(assigners).createLoss({ grid, numClasses: 2, options: { ...options, assigner: 'short' }, criterion: losses.create('bce'), losses });
    const before = tf.memory().numTensors;
    const step = () => tf.tidy(() => headLoss.loss(model.predict(tf.tensor4d(batch.images, batch.shape)) as tf.Tensor3D, batch.items).total);
    expect(step).toThrow(/^plugin short\.js: assigner 'short': assign\(\) must return an Int32Array of 84 box indices in \[0, 2\) or -1$/);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('loss targets: one-hot × IoU or one-hot on foreground; ignored boxes mask the objectness of their background', () => {
    const grid = locationGrid(32, 32, [8, 16], [24]);
    const C = 2;
    const L = grid.count;
    // Every location predicts the box [8, 8, 24, 24] (centre offset to (16, 16), size 16 = 2 strides at stride 8, 1 at 16).
    const rows = new Float32Array(L * (C + 5));
    for (let k = 0; k < L; k++) rows.set([0, 0, (16 - grid.x[k]) / grid.stride[k], (16 - grid.y[k]) / grid.stride[k], Math.log(16 / grid.stride[k]), Math.log(16 / grid.stride[k]), 0], k * (C + 5));
    const item: BoxesToAssign = { boxes: [[8, 8, 12, 16], [24, 0, 8, 8]], labels: [1, 0], ignore: [false, true] };
    const assigner = new CenterPriorAssigner(1.5);
    const soft = yoloxLossTargets([item], rows, grid, C, assigner, 'iou');
    const hard = yoloxLossTargets([item], rows, grid, C, assigner, 'hard');
    // Box 0 [8, 20] x [8, 24]: stride-8 centres 12 (x) and 12, 20 (y) inside and within 12 px of (14, 16).
    const fg = Array.from(soft.foreground).flatMap((f, k) => (f ? [k] : []));
    expect(fg).toEqual([1 * 4 + 1, 2 * 4 + 1]);
    const iou = (12 * 16) / (16 * 16); // the predicted [8, 24]² against the box [8, 20] x [8, 24]
    for (const k of fg) {
      expect(Array.from(soft.classes.subarray(k * C, k * C + C))).toEqual([0, Math.fround(iou)]);
      expect(Array.from(hard.classes.subarray(k * C, k * C + C))).toEqual([0, 1]);
      expect(Array.from(soft.boxes.subarray(4 * k, 4 * k + 4))).toEqual([8, 8, 20, 24]);
    }
    expect(soft.numForeground).toBe(2);
    // The ignored box [24, 32] x [0, 8] holds the stride-8 centre (28, 4): neither foreground nor background.
    expect(Array.from(soft.objWeights).flatMap((w, k) => (w === 0 ? [k] : []))).toEqual([3]);
  });
});

describe('detectionTask with head yolox on the built-in mnist-detection', () => {
  const cacheDir = useTemporaryCache('asl-run-yolox-');
  const env = { losses, log: () => undefined };

  beforeAll(async () => {
    await initBackend('wasm');
    registerCustomLayers();
  });

  function tinyConfig(taskOptions: Record<string, unknown> = {}) {
    const config = detectionTask.defaults({ head: 'yolox' });
    config.model.imageSize = 64;
    config.train.batchSize = 4;
    config.data.builtinOptions = { trainCount: 4, valCount: 3 };
    config.taskOptions = { ...config.taskOptions, ...taskOptions } as typeof config.taskOptions;
    return config;
  }

  it('prepares loaders of boxes and the YOLOX adapter: finite loss with foreground, evaluation, predictions in original pixels', async () => {
    const prepared = await detectionTask.prepare(tinyConfig(), env);
    expect((prepared.adapter as DetectionAdapter).head.name).toBe('yolox');
    expect(prepared.adapter.model.name).toMatch(/^yolox_/);
    const before = tf.memory().numTensors;
    let batch: Batch<BoxesToAssign> | undefined;
    for await (const b of prepared.train!.batches(0)) batch = b as Batch<BoxesToAssign>;
    expect(batch!.items.every((t) => t.boxes.length >= 1 && t.boxes.length === t.labels.length)).toBe(true);
    const total = tf.tidy(() => prepared.adapter.loss(prepared.adapter.model.predict(tf.tensor4d(batch!.images, batch!.shape)) as tf.Tensor, batch!).total.dataSync()[0]);
    expect(Number.isFinite(total) && total > 0).toBe(true);
    expect((prepared.adapter as DetectionAdapter).diagnostics(undefined as never, batch!).foregroundPerImage).toBeGreaterThan(0);
    const metrics = await prepared.adapter.evaluate();
    expect(metrics.AP).toBeGreaterThanOrEqual(0);
        const files = generatedValImages(cacheDir, 1);
    const [prediction] = await detectionTask.predict(prepared.adapter.model, tinyConfig(), prepared.classes, files, { topK: 5 });
    for (const d of prediction.detections as { bbox: number[]; score: number }[]) {
      expect(d.bbox[0] + d.bbox[2]).toBeLessThanOrEqual(128 + 1e-3);
      expect(d.score).toBeGreaterThan(0.01); // YOLOX's default threshold
    }
    expect(tf.memory().numTensors).toBe(before);
    prepared.adapter.model.dispose();
  });

  it.each([
    [{ objLoss: 'nope' }, /^taskOptions\.objLoss \(--obj-loss\): unknown loss 'nope' \(known: asl, bce, ce\)$/],
    [{ objLoss: 'ce' }, /^taskOptions\.objLoss \(--obj-loss\) ce: a softmax loss cannot train objectness, which needs a sigmoid loss$/],
    [{ objLoss: 'asl', objLossParams: { gamaNeg: 1 } }, /^taskOptions\.objLossParams \(--obj-loss-params\): asl: unknown parameter 'gamaNeg'/],
    [{ assigner: 'ota' }, /^taskOptions\.assigner: unknown assigner 'ota' \(known: simota, center-prior\)$/],
    [{ clsTarget: 'soft' }, /^taskOptions\.clsTarget: expected one of 'iou', 'hard', got "soft"$/],
  ])('refuses %j with one line naming the option', async (options, message) => {
    await expect(detectionTask.prepare(tinyConfig(options), env)).rejects.toThrow(message);
  });
});
