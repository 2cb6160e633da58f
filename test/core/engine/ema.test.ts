import { tf } from '../../../src/core/tf';
import { initBackend } from '../../../src/core/backend/init';
import { WeightEma } from '../../../src/core/engine/ema';

describe('WeightEma', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('averages as shadow = d·shadow + (1 - d)·weight with the warm-up decay, holding one tensor per weight', async () => {
    const w = tf.variable(tf.tensor1d([1, 2]));
    const before = tf.memory().numTensors;
    const ema = new WeightEma([w], 0.9, true);
    expect(tf.memory().numTensors).toBe(before + 1);
    let shadow = [1, 2];
    for (const next of [[3, 6], [5, 0], [1, 1]]) {
      tf.tidy(() => w.assign(tf.tensor1d(next)));
      const d = Math.min(0.9, (1 + ema.updateCount) / (10 + ema.updateCount));
      shadow = shadow.map((s, i) => d * s + (1 - d) * next[i]);
      ema.update();
    }
    Array.from(ema.shadows[0].dataSync()).forEach((v, i) => expect(v).toBeCloseTo(shadow[i], 5));
    expect(await ema.withAveragedWeights(async () => Array.from(w.dataSync()))).toEqual(Array.from(ema.shadows[0].dataSync()));
    expect(Array.from(w.dataSync())).toEqual([1, 1]);
    ema.dispose();
    expect(tf.memory().numTensors).toBe(before);
    w.dispose();
  });
});
