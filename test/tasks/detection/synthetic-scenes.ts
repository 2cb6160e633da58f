/**
 * Shared fixtures of the detection tests: four 64x64 synthetic scenes (bright squares = class 0,
 * dark squares = class 1, on mid grey), their COCO ground truth and a one-batch validation
 * source; a few Adam steps of an adapter; and a private built-in data cache for tests that
 * generate mnist-detection.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf } from '../../../src/core/tf';
import type { Batch, BatchSource, TaskAdapter } from '../../../src/core/engine/task';
import type { BoxXYWH } from '../../../src/core/data/records';
import type { DetectionEvalItem } from '../../../src/tasks/detection/evaluation';

export const SIZE = 64;
export const CLASSES = ['bright', 'dark'];
export const SCENES: { boxes: BoxXYWH[]; labels: number[] }[] = [
  { boxes: [[8, 8, 20, 20], [36, 30, 24, 24]], labels: [0, 1] },
  { boxes: [[30, 6, 16, 28]], labels: [1] },
  { boxes: [[4, 34, 26, 26], [40, 4, 18, 18]], labels: [0, 0] },
  { boxes: [[20, 20, 28, 20]], labels: [1] },
];

/** The scenes as one NHWC batch of already normalised values. */
export function sceneImages(): Float32Array {
  const data = new Float32Array(SCENES.length * SIZE * SIZE * 3);
  SCENES.forEach((scene, n) => {
    scene.boxes.forEach(([x, y, w, h], b) => {
      for (let r = y; r < y + h; r++) for (let c = x; c < x + w; c++) data.fill(scene.labels[b] === 0 ? 1.5 : -1.5, ((n * SIZE + r) * SIZE + c) * 3, ((n * SIZE + r) * SIZE + c) * 3 + 3);
    });
  });
  return data;
}

/** The scenes as a validation split (image ids 1..4, identity geometry) with their COCO ground truth. */
export function sceneValidation() {
  const geometry = { affine: { sx: 1, sy: 1, tx: 0, ty: 0 }, originalWidth: SIZE, originalHeight: SIZE };
  const records = SCENES.map((_, i) => ({ file: `img${i}.png` }));
  const val: BatchSource<DetectionEvalItem> = {
    batchesPerEpoch: 1,
    async *batches() {
      yield { images: sceneImages(), shape: [SCENES.length, SIZE, SIZE, 3], records, items: SCENES.map((_, i) => ({ imageId: i + 1, geometry })) };
    },
  };
  const groundTruth = {
    images: SCENES.map((_, i) => ({ id: i + 1, file_name: `img${i}.png`, width: SIZE, height: SIZE })),
    annotations: SCENES.flatMap((s, i) => s.boxes.map((bbox, b) => ({ id: 10 * i + b + 1, image_id: i + 1, category_id: s.labels[b] + 1, bbox, area: bbox[2] * bbox[3], iscrowd: 0 as const }))),
    categories: CLASSES.map((name, k) => ({ id: k + 1, name })),
  };
  return { val, groundTruth, records };
}

/** Points $ASL_RUN_CACHE at a fresh folder for the test file (restored and removed after it). */
export function useTemporaryCache(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  let previous: string | undefined;
  beforeAll(() => {
    previous = process.env.ASL_RUN_CACHE;
    process.env.ASL_RUN_CACHE = dir;
  });
  afterAll(() => {
    if (previous === undefined) delete process.env.ASL_RUN_CACHE;
    else process.env.ASL_RUN_CACHE = previous;
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** The first `count` validation images of the built-in data generated into `cacheDir`. */
export function generatedValImages(cacheDir: string, count: number): string[] {
  const dataset = fs.readdirSync(cacheDir).map((d) => path.join(cacheDir, d)).find((d) => fs.existsSync(path.join(d, 'val')));
  if (!dataset) throw new Error(`${cacheDir}: no generated data set with a val split`);
  const valDir = path.join(dataset, 'val');
  return fs.readdirSync(valDir).sort().slice(0, count).map((f) => path.join(valDir, f));
}

/**
 * `steps` Adam steps (lr 3e-3) of the adapter's loss on one batch, as the Trainer takes them; per
 * step the total, its parts and `extra()` (read after the step). Checks that the first step leaves
 * nothing behind but Adam's two slots per weight. The caller disposes the optimizer.
 */
export function adamSteps<Item>(task: TaskAdapter<Item>, batch: Batch<Item>, steps: number, extra: () => Record<string, number> = () => ({})) {
  const vars = task.model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = tf.train.adam(3e-3);
  const before = tf.memory().numTensors;
  const history: Record<string, number>[] = [];
  for (let step = 0; step < steps; step++) {
    tf.tidy(() => {
      const x = tf.tensor4d(batch.images, batch.shape);
      let parts: Record<string, number> = {};
      const { value, grads } = tf.variableGrads(() => {
        const terms = task.loss(task.model.apply(x, { training: true }) as tf.Tensor, batch);
        parts = Object.fromEntries(Object.entries(terms.parts).map(([k, v]) => [k, v.dataSync()[0]]));
        return terms.total;
      }, vars);
      history.push({ total: value.dataSync()[0], ...parts, ...extra() });
      optimizer.applyGradients(grads as unknown as Parameters<typeof optimizer.applyGradients>[0]);
    });
    if (step === 0) expect(tf.memory().numTensors - before).toBeLessThanOrEqual(2 * vars.length);
  }
  return { history, optimizer };
}
