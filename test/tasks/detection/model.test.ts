import { tf } from '../../../src/core/tf';
import { initBackend } from '../../../src/core/backend/init';
import { registerCustomLayers } from '../../../src/backbones/custom-layers';
import { buildDetector } from '../../../src/tasks/detection/model';
import { registerDetectionLayers } from '../../../src/tasks/detection/level-scale';
import { headOptions } from '../../../src/tasks/detection/options';
import { fcosHead } from '../../../src/tasks/detection/heads/fcos';
import { LossRegistry } from '../../../src/core/registry/loss-registry';
import type { RunConfig } from '../../../src/core/run-config';
import type { JsonObject } from '../../../src/core/config';
import { backbones, detectionTaskWith } from './task-fixture';
import { roundTrip, seededValues, expectClose } from '../../backbones/helpers';
import { disposeModel } from '../../../src/core/engine/model-io';

function smallConfig() {
  const config = detectionTaskWith(new LossRegistry()).defaults({ head: 'fcos' });
  config.model.imageSize = 64;
  return config;
}

const detectionOptions = (taskOptions: JsonObject) => headOptions(fcosHead, taskOptions);
const buildDetectionModel = (config: RunConfig, numClasses: number, options: ReturnType<typeof detectionOptions>) => buildDetector(fcosHead, backbones, config, numClasses, options);

describe('the FCOS detector', () => {
  beforeAll(async () => {
    await initBackend('cpu');
    registerCustomLayers();
    registerDetectionLayers();
  });

  it('outputs [B, 8·8 + 4·4 + 2·2, C + 5] at 64 px, with the class bias at the 0.01 prior', async () => {
    const options = detectionOptions(smallConfig().taskOptions);
    const empty = tf.memory().numTensors;
    const model = buildDetectionModel(smallConfig(), 3, options);
    expect(model.outputs[0].shape).toEqual([null, 84, 8]);
    const bias = model.getLayer('head_cls_logits').getWeights()[1].dataSync();
    expect(bias[0]).toBeCloseTo(Math.log(0.01 / 0.99), 5);
    expect(['head_scale3', 'head_scale4', 'head_scale5'].map((n) => model.getLayer(n).getWeights()[0].dataSync()[0])).toEqual([1, 1, 1]);
    // Set the scales apart so that the round trip proves they are saved.
    tf.tidy(() => model.getLayer('head_scale4').setWeights([tf.tensor1d([0.5])]));

    const loaded = await roundTrip(model);
    const before = tf.memory().numTensors;
    const x = tf.tensor4d(seededValues(2 * 64 * 64 * 3, 5), [2, 64, 64, 3]);
    const [a, b] = [model, loaded].map((m) => tf.tidy(() => (m.predict(x) as tf.Tensor).dataSync()));
    expectClose(b, a, 1e-5);
    expect(loaded.getLayer('head_scale4').getWeights()[0].dataSync()[0]).toBe(0.5);
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // The towers are applied once per level: disposeModel frees their weights too.
    disposeModel(loaded);
    disposeModel(model);
    expect(tf.memory().numTensors).toBe(empty);
  });

  it('rejects strides the backbone cannot give and bad options, naming the option', () => {
    const config = smallConfig();
    expect(() => buildDetectionModel(config, 3, detectionOptions({ strides: [2, 4], levelBounds: [8] }))).toThrow(/taskOptions.strides/);
    expect(() => detectionOptions({ strides: [8, 16], levelBounds: [16, 32] })).toThrow(/^taskOptions\.levelBounds: needs 1 bounds for 2 levels, got \[16,32\]$/);
    expect(() => detectionOptions({ nmsThreshold: 2 })).toThrow(/^taskOptions\.nmsThreshold: expected a number in \[0, 1\], got 2$/);
    expect(() => detectionOptions({ anchors: 9 })).toThrow(/^taskOptions: unknown option 'anchors' \(known: head, strides, /);
    // YOLOX's own options are no FCOS options.
    expect(() => detectionOptions({ objWeight: 1 })).toThrow(/^taskOptions: unknown option 'objWeight' \(known: head, strides, .*, towerConvs, groupNormGroups, centerSampleRadius, centernessWeight\)$/);
  });
});
