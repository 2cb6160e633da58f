import { tf } from '../../../src/core/tf';
import { initBackend } from '../../../src/core/backend/init';
import { registerCustomLayers } from '../../../src/backbones/group-norm';
import { LossRegistry } from '../../../src/core/registry/loss-registry';
import { focalPlugin } from '../../../src/losses/focal';
import type { Batch, BatchSource } from '../../../src/core/engine/task';
import type { BoxXYWH } from '../../../src/core/data/records';
import { buildDetectionModel } from '../../../src/tasks/detection/model';
import { detectionOptions } from '../../../src/tasks/detection/options';
import { locationGrid } from '../../../src/tasks/detection/locations';
import { assignTargets, FcosTargets } from '../../../src/tasks/detection/targets';
import { DetectionTask } from '../../../src/tasks/detection/detection-task';
import type { DetectionEvalItem } from '../../../src/tasks/detection/evaluation';
import { detectionTask } from '../../../src/tasks/detection';

const SIZE = 64;
const SCENES: { boxes: BoxXYWH[]; labels: number[] }[] = [
  { boxes: [[8, 8, 20, 20], [36, 30, 24, 24]], labels: [0, 1] },
  { boxes: [[30, 6, 16, 28]], labels: [1] },
  { boxes: [[4, 34, 26, 26], [40, 4, 18, 18]], labels: [0, 0] },
  { boxes: [[20, 20, 28, 20]], labels: [1] },
];

/** Class 0: bright squares; class 1: dark squares, on mid grey (already normalised values). */
function images(): Float32Array {
  const data = new Float32Array(SCENES.length * SIZE * SIZE * 3);
  SCENES.forEach((scene, n) => {
    scene.boxes.forEach(([x, y, w, h], b) => {
      for (let r = y; r < y + h; r++) for (let c = x; c < x + w; c++) data.fill(scene.labels[b] === 0 ? 1.5 : -1.5, ((n * SIZE + r) * SIZE + c) * 3, ((n * SIZE + r) * SIZE + c) * 3 + 3);
    });
  });
  return data;
}

describe('detection end to end', () => {
  beforeAll(async () => {
    await initBackend('wasm');
    registerCustomLayers();
  });

  it('a few Adam steps on 4 synthetic images lower every loss term; evaluate gives the COCO stats; no leaks', async () => {
    const config = detectionTask.defaults();
    config.model.imageSize = SIZE;
    const options = detectionOptions({ ...config.taskOptions, channels: 32, groupNormGroups: 8 });
    const grid = locationGrid(SIZE, SIZE, options.strides, options.levelBounds);
    const model = buildDetectionModel(config, 2, options);
    const items: FcosTargets[] = SCENES.map((s) => assignTargets(grid, { boxes: s.boxes, labels: s.labels, ignore: s.labels.map(() => false) }, options.centerSampleRadius));
    expect(items.every((t) => t.numPositives > 0)).toBe(true);
    const batch: Batch<FcosTargets> = { images: images(), shape: [4, SIZE, SIZE, 3], items, records: SCENES.map((_, i) => ({ file: `img${i}.png` })) };
    const geometry = { affine: { sx: 1, sy: 1, tx: 0, ty: 0 }, originalWidth: SIZE, originalHeight: SIZE };
    const val: BatchSource<DetectionEvalItem> = {
      batchesPerEpoch: 1,
      async *batches() {
        yield { ...batch, items: SCENES.map((_, i) => ({ imageId: i + 1, geometry })) };
      },
    };
    const gt = {
      images: SCENES.map((_, i) => ({ id: i + 1, file_name: `img${i}.png`, width: SIZE, height: SIZE })),
      annotations: SCENES.flatMap((s, i) => s.boxes.map((bbox, b) => ({ id: 10 * i + b + 1, image_id: i + 1, category_id: s.labels[b] + 1, bbox, area: bbox[2] * bbox[3], iscrowd: 0 as const }))),
      categories: [{ id: 1, name: 'bright' }, { id: 2, name: 'dark' }],
    };
    const losses = new LossRegistry();
    losses.register(focalPlugin);
    const task = new DetectionTask(model, losses.create('focal'), ['bright', 'dark'], grid, options, val, gt);

    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const optimizer = tf.train.adam(3e-3);
    const before = tf.memory().numTensors;
    const history: Record<string, number>[] = [];
    for (let step = 0; step < 12; step++) {
      tf.tidy(() => {
        const x = tf.tensor4d(batch.images, batch.shape);
        let parts: Record<string, number> = {};
        const { value, grads } = tf.variableGrads(() => {
          const terms = task.loss(model.apply(x, { training: true }) as tf.Tensor, batch);
          parts = Object.fromEntries(Object.entries(terms.parts).map(([k, v]) => [k, v.dataSync()[0]]));
          return terms.total;
        }, vars);
        history.push({ total: value.dataSync()[0], ...parts });
        optimizer.applyGradients(grads);
      });
      if (step === 0) expect(tf.memory().numTensors - before).toBeLessThanOrEqual(2 * vars.length); // Adam slots only
    }
    const afterTraining = tf.memory().numTensors;
    const [first, last] = [history[0], history[history.length - 1]];
    expect(Object.keys(first).sort()).toEqual(['box', 'cls', 'ctr', 'total']);
    // Focal loss at the 0.01 prior starts near its initial value; all three terms must fall.
    expect(last.total).toBeLessThan(0.7 * first.total);
    for (const k of ['cls', 'box', 'ctr']) expect(last[k]).toBeLessThan(first[k]);

    const metrics = await task.evaluate();
    expect(Object.keys(metrics)).toEqual(['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm', 'ARl', 'perCategoryAP']);
    expect(Object.keys(metrics.perCategoryAP as object)).toEqual(['bright', 'dark']);
    for (const k of ['AP', 'AP50', 'AR100']) expect(metrics[k]).toBeGreaterThanOrEqual(0);
    expect(task.diagnostics(undefined as unknown as tf.Tensor, batch).positivesPerImage).toBe(items.reduce((s, t) => s + t.numPositives, 0) / 4);
    expect(tf.memory().numTensors).toBe(afterTraining);
    optimizer.dispose();
    model.dispose();
  });
});
