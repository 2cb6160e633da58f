import * as path from 'path';
import { tf } from '../../src/core/tf';
import { initBackend } from '../../src/core/backend/init';
import { components } from '../../test/components';

/** Poly-1 BCE in float64: −y log p − (1−y) log(1−p) + ε (1 − pt). */
function oracle(x: number, y: number, epsilon: number): number {
  const p = 1 / (1 + Math.exp(-x));
  const pt = y * p + (1 - y) * (1 - p);
  return -(y * Math.log(p) + (1 - y) * Math.log(1 - p)) + epsilon * (1 - pt);
}

describe('example plugin poly-bce', () => {
  beforeAll(() => initBackend('cpu'));

  it('loads through the plugin loader and matches a float64 oracle, with no leaks', async () => {
    const c = components();
    const registry = c.losses;
    await c.plugins.load(path.join(__dirname, 'poly-loss.js'));
    const logits = [[2, -1, 0.5], [-3, 0.25, 4]];
    const targets = [[1, 0, 1], [0, 1, 0]];
    const before = tf.memory().numTensors;
    for (const epsilon of [0, 1, 2.5]) {
      const loss = registry.create('poly-bce', { epsilon });
      const value = tf.tidy(() => loss.compute(tf.tensor2d(logits), tf.tensor2d(targets)).dataSync()[0]);
      const expected = logits.flatMap((row, i) => row.map((x, j) => oracle(x, targets[i][j], epsilon))).reduce((a, b) => a + b, 0);
      expect(value).toBeCloseTo(expected, 4);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(() => registry.create('poly-bce', { epsilon: 'x' as never })).toThrow('poly-bce: epsilon must be a finite number, got x');
  });
});
