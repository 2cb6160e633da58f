import { tf } from '../../../src/core/tf';
import { initBackend } from '../../../src/core/backend/init';
import { registerCustomLayers } from '../../../src/backbones/custom-layers';
import { LossRegistry } from '../../../src/core/registry/loss-registry';
import { focalPlugin } from '../../../src/losses/focal';
import type { Batch } from '../../../src/core/engine/task';
import { buildDetector } from '../../../src/tasks/detection/model';
import { headOptions } from '../../../src/tasks/detection/options';
import { locationGrid } from '../../../src/tasks/detection/locations';
import { assignTargets, FcosTargets } from '../../../src/tasks/detection/targets';
import { DetectionAdapter } from '../../../src/tasks/detection/evaluation';
import { fcosHead } from '../../../src/tasks/detection/heads/fcos';
import { CLASSES, SCENES, SIZE, sceneImages, sceneValidation, adamSteps } from './synthetic-scenes';
import { backbones, detectionTaskWith } from './task-fixture';

describe('detection end to end', () => {
  beforeAll(async () => {
    await initBackend('wasm');
    registerCustomLayers();
  });

  it('a few Adam steps on 4 synthetic images lower every loss term; evaluate gives the COCO stats; no leaks', async () => {
    const losses = new LossRegistry();
    losses.register(focalPlugin);
    const config = detectionTaskWith(losses).defaults({ head: 'fcos' });
    config.model.imageSize = SIZE;
    const options = headOptions(fcosHead, { ...config.taskOptions, channels: 32, groupNormGroups: 8 });
    const grid = locationGrid(SIZE, SIZE, options.strides, options.levelBounds);
    const model = buildDetector(fcosHead, backbones, config, 2, options);
    const items: FcosTargets[] = SCENES.map((s) => assignTargets(grid, { boxes: s.boxes, labels: s.labels, ignore: s.labels.map(() => false) }, options.centerSampleRadius as number));
    expect(items.every((t) => t.numPositives > 0)).toBe(true);
    const batch: Batch<FcosTargets> = { images: sceneImages(), shape: [4, SIZE, SIZE, 3], items, records: SCENES.map((_, i) => ({ file: `img${i}.png` })) };
    const { val, groundTruth } = sceneValidation();
    const headLoss = fcosHead.createLoss({ grid, numClasses: 2, options, criterion: losses.create('focal'), losses });
    const task = new DetectionAdapter({ head: fcosHead, model, headLoss, classes: CLASSES, grid, options, val, groundTruth });

    const { history, optimizer } = adamSteps(task, batch, 12);
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
