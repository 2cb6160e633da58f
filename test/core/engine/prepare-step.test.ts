/**
 * The training step of a head that reads its predictions (YOLOX's assignment) on a backend that
 * reads back only asynchronously: the trainer runs the model once before the tape, without
 * touching its batch-norm statistics, and the head assigns from that. Forced here on wasm, it must
 * train exactly as the in-tape read does: the same weights, bit for bit, after several steps.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf } from '../../../src/core/tf';
import { initBackend } from '../../../src/core/backend/init';
import { Trainer } from '../../../src/core/engine/trainer';
import { Progress } from '../../../src/core/engine/progress';
import type { Batch, BatchSource } from '../../../src/core/engine/task';
import { LossRegistry } from '../../../src/core/registry/loss-registry';
import { bcePlugin } from '../../../src/losses/bce';
import { headOptions } from '../../../src/tasks/detection/options';
import { locationGrid } from '../../../src/tasks/detection/locations';
import { buildDetector } from '../../../src/tasks/detection/model';
import { DetectionAdapter } from '../../../src/tasks/detection/evaluation';
import type { BoxesToAssign } from '../../../src/tasks/detection/targets';
import { CLASSES, SCENES, SIZE, sceneImages, sceneValidation } from '../../tasks/detection/synthetic-scenes';
import { backbones, detectionTaskWith, yoloxHead } from '../../tasks/detection/task-fixture';
import { components } from '../../components';

const losses = new LossRegistry([bcePlugin]);
const { container } = components();
const registries = { optimizers: container.get<never>(Symbol.for('asl-run.OptimizerRegistry')), schedules: container.get<never>(Symbol.for('asl-run.ScheduleRegistry')) };

async function trainYolox(readsSynchronously: boolean, dir: string): Promise<Float32Array[]> {
  const config = detectionTaskWith(losses).defaults({ head: 'yolox' });
  config.model.imageSize = SIZE;
  config.train = { ...config.train, epochs: 1, ema: { ...config.train.ema, enabled: false }, schedule: { ...config.train.schedule, name: 'constant' }, evalEvery: 100 };
  const options = headOptions(yoloxHead, config.taskOptions as never);
  const grid = locationGrid(SIZE, SIZE, options.strides, options.levelBounds);
  const model = buildDetector(yoloxHead, backbones, config, 2, options);
  const headLoss = yoloxHead.createLoss({ grid, numClasses: 2, options, criterion: losses.create('bce'), losses });
  const { val, groundTruth } = sceneValidation();
  const adapter = new DetectionAdapter({ head: yoloxHead, model, headLoss, classes: CLASSES, grid, options, val, groundTruth });
  const batch: Batch<BoxesToAssign> = {
    images: sceneImages(), shape: [SCENES.length, SIZE, SIZE, 3], records: SCENES.map((_, i) => ({ file: `img${i}.png` })),
    items: SCENES.map((s) => ({ boxes: s.boxes, labels: s.labels, ignore: s.labels.map(() => false) })),
  };
  const source: BatchSource<BoxesToAssign> = {
    batchesPerEpoch: 3,
    async *batches(_epoch: number, start = 0) {
      for (let i = start; i < 3; i++) yield { ...batch, items: batch.items.map((item) => ({ ...item })) };
    },
  };
  const trainer = new Trainer(adapter, { primaryMetric: 'AP', metricDirection: 'max' }, source, config.train, path.join(dir, 'last.ckpt'), {
    record: () => undefined,
    progress: new Progress(undefined, 1),
    readsSynchronously: () => readsSynchronously,
  }, registries);
  await trainer.run(false);
  trainer.dispose();
  const weights = await Promise.all(model.weights.map((w) => w.read().data() as Promise<Float32Array>));
  model.dispose();
  return weights;
}

describe('a head that reads its predictions, on a backend without synchronous reads', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asl-run-prepare-step-'));
  beforeAll(() => initBackend('wasm'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('trains YOLOX exactly as the in-tape read does (weights and batch-norm statistics, bit for bit)', async () => {
    const inTape = await trainYolox(true, path.join(dir, 'a'));
    const before = tf.memory().numTensors;
    const prepared = await trainYolox(false, path.join(dir, 'b'));
    expect(tf.memory().numTensors).toBe(before);
    expect(prepared.length).toBe(inTape.length);
    const changed = inTape.some((w, i) => w.some((v, j) => v !== prepared[i][j]));
    expect(changed).toBe(false);
  });
});
