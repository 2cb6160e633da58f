import { tf } from '../../../../src/core/tf';
import { initBackend } from '../../../../src/core/backend/init';
import { registerCustomLayers } from '../../../../src/backbones/custom-layers';
import { registerDetectionLayers } from '../../../../src/tasks/detection';
import { LossRegistry } from '../../../../src/core/registry/loss-registry';
import { headOptions } from '../../../../src/tasks/detection/options';
import { locationGrid } from '../../../../src/tasks/detection/locations';
import { buildDetector } from '../../../../src/tasks/detection/model';
import { backbones, detectionTaskWith, yoloxHead } from '../task-fixture';

describe('YOLOX head model', () => {
  beforeAll(async () => {
    await initBackend('wasm');
    registerCustomLayers();
    registerDetectionLayers();
  });

  it('outputs [B, L, C + 5] in grid order with prior-0.01 class and objectness biases, per-level heads, and loads back from its saved form', async () => {
    const config = detectionTaskWith(new LossRegistry()).defaults({ head: 'yolox' });
    config.model.imageSize = 64;
    const options = headOptions(yoloxHead, config.taskOptions);
    const grid = locationGrid(64, 64, options.strides, options.levelBounds);
    const model = buildDetector(yoloxHead, backbones, config, 3, options);
    expect(model.name).toMatch(/^yolox_/);
    expect(model.outputs[0].shape).toEqual([null, grid.count, 8]);
    // One head per level, not shared: three objectness convs, each biased to log(0.01 / 0.99).
    const objBiases = model.layers.filter((l) => /^yolox_obj\d+$/.test(l.name)).map((l) => l.getWeights()[1].dataSync()[0]);
    expect(objBiases).toHaveLength(3);
    for (const b of objBiases) expect(b).toBeCloseTo(Math.log(0.01 / 0.99), 5);
    expect(model.layers.some((l) => l.getConfig().activation === 'swish')).toBe(true);

    const before = tf.memory().numTensors;
    const x = tf.randomNormal([2, 64, 64, 3], 0, 1, 'float32', 5);
    const y = model.predict(x) as tf.Tensor;
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const y2 = loaded.predict(x) as tf.Tensor;
    const [a, b] = [y.dataSync(), y2.dataSync()];
    expect(b.length).toBe(a.length);
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    expect(maxDiff).toBeLessThan(1e-5);
    tf.dispose([x, y, y2]);
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
