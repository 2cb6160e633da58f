import { tf } from '../../../src/core/tf';
import { initBackend } from '../../../src/core/backend/init';
import { registerCustomLayers } from '../../../src/backbones/custom-layers';
import { LossRegistry } from '../../../src/core/registry/loss-registry';
import { focalPlugin } from '../../../src/losses/focal';
import { crossEntropyPlugin } from '../../../src/losses/cross-entropy';
import type { Batch } from '../../../src/core/engine/task';
import type { FcosTargets } from '../../../src/tasks/detection/targets';
import { generatedValImages, useTemporaryCache } from './synthetic-scenes';
import { detectionTaskWith } from './task-fixture';

const cacheDir = useTemporaryCache('asl-run-det-');
const losses = new LossRegistry();
const detectionTask = detectionTaskWith(losses);

/** An FCOS run (the tests below check its targets and options) with the focal loss the test registry has. */
function tinyConfig() {
  const config = detectionTask.defaults({ head: 'fcos' });
  config.loss = 'focal';
  config.model.imageSize = 64;
  config.train.batchSize = 4;
  config.data.builtinOptions = { trainCount: 4, valCount: 3 };
  return config;
}

describe('detectionTask on the built-in mnist-detection', () => {
  const env = { losses, log: () => undefined };

  beforeAll(async () => {
    await initBackend('wasm');
    registerCustomLayers();
    [focalPlugin, crossEntropyPlugin].forEach((p) => losses.register(p));
  });

  it('prepares loaders whose targets come from the boxes, evaluates, and predicts boxes in original pixels', async () => {
    const prepared = await detectionTask.prepare(tinyConfig(), env);
    expect(prepared.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(prepared.train!.batchesPerEpoch).toBe(1);
    const before = tf.memory().numTensors;
    let batch: Batch<FcosTargets> | undefined;
    for await (const b of prepared.train!.batches(0)) batch = b as Batch<FcosTargets>;
    // 1-5 digits per scene, each with positives: the targets really come from the records' boxes.
    expect(batch!.items.every((t) => t.numPositives > 0 && t.labels.length === 84)).toBe(true);
    const total = tf.tidy(() => prepared.adapter.loss(prepared.adapter.model.predict(tf.tensor4d(batch!.images, batch!.shape)) as tf.Tensor, batch!).total.dataSync()[0]);
    expect(Number.isFinite(total) && total > 0).toBe(true);

    const metrics = await prepared.adapter.evaluate();
    expect(metrics.AP).toBeGreaterThanOrEqual(0);
    expect(metrics.AP).toBeLessThanOrEqual(1);

    const files = generatedValImages(cacheDir, 2);
    const predictions = await detectionTask.predict(prepared.adapter.model, tinyConfig(), prepared.classes, files, { topK: 5 });
    expect(predictions.map((p) => p.image)).toEqual(files);
    // A config that also holds another head's options, as a saved run's may, predicts the same: YOLOX's options do not apply to FCOS.
    const everyHead = { ...tinyConfig(), taskOptions: { ...tinyConfig().taskOptions, assigner: 'simota', clsTarget: 'iou', objLoss: 'bce', objLossParams: {}, objWeight: 1 } };
    expect(await detectionTask.predict(prepared.adapter.model, everyHead, prepared.classes, files, { topK: 5 })).toEqual(predictions);
    for (const p of predictions) {
      const detections = p.detections as { bbox: number[]; label: string; score: number }[];
      expect(detections.length).toBeLessThanOrEqual(100);
      // An untrained head fires everywhere at the 0.01 prior; boxes still lie in the 128x128 original.
      for (const d of detections) {
        expect(d.bbox[0]).toBeGreaterThanOrEqual(0);
        expect(d.bbox[0] + d.bbox[2]).toBeLessThanOrEqual(128 + 1e-3);
        expect(prepared.classes).toContain(d.label);
      }
    }
    expect(tf.memory().numTensors).toBe(before);
    prepared.adapter.model.dispose();
  });

  it("takes each head's defaults, options and loss from the head registry; a run's options are the shared ones and its head's own", () => {
    const shared = ['head', 'strides', 'levelBounds', 'channels', 'priorProbability', 'clsWeight', 'boxWeight', 'scoreThreshold', 'topKPerLevel', 'nmsThreshold', 'maxDetections', 'scaleJitter'];
    // YOLOX unless the run names a head.
    expect(detectionTask.defaults().taskOptions.head).toBe('yolox');
    const fcos = detectionTask.defaults({ head: 'fcos' });
    expect(fcos.loss).toBe('bce');
    expect(Object.keys(fcos.taskOptions)).toEqual([...shared, 'towerConvs', 'groupNormGroups', 'centerSampleRadius', 'centernessWeight']);
    const yolox = detectionTask.defaults({ head: 'yolox' });
    expect(yolox.loss).toBe('bce');
    expect(Object.keys(yolox.taskOptions)).toEqual([...shared, 'towerConvs', 'centerSampleRadius', 'assigner', 'clsTarget', 'objLoss', 'objLossParams', 'objWeight']);
    expect(yolox.taskOptions).toMatchObject({ boxWeight: 5, scoreThreshold: 0.01, nmsThreshold: 0.65, assigner: 'center-prior' });
    // The task's schema: one strict branch per head, chosen by `head`.
    const schema = detectionTask.optionsSchema;
    expect(schema.safeParse(fcos.taskOptions).success).toBe(true);
    expect(schema.safeParse(yolox.taskOptions).success).toBe(true);
    expect(schema.safeParse({ ...yolox.taskOptions, groupNormGroups: 8 }).error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['groupNormGroups'] });
    expect(schema.safeParse({ ...fcos.taskOptions, head: 'retina' }).error?.issues[0]).toMatchObject({ path: ['head'], message: "one of 'fcos', 'yolox'" });
  });

  it('refuses a softmax loss and bad task options with one clear line', async () => {
    const config = tinyConfig();
    config.loss = 'ce';
    await expect(detectionTask.prepare(config, env)).rejects.toThrow(/--loss ce: a softmax loss cannot train the detection task/);
    const bad = tinyConfig();
    bad.taskOptions = { ...bad.taskOptions, groupNormGroups: 7 };
    await expect(detectionTask.prepare(bad, env)).rejects.toThrow(/taskOptions\.groupNormGroups: must divide channels \(32\), got 7/);
  });
});
