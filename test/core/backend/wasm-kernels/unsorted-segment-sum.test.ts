import { tf } from '../../../../src/core/tf';
import { initBackend } from '../../../../src/core/backend/init';
import { pseudoRandom, randomTensor, relativeError, runOn, type Result } from './cpu-oracle';

/**
 * Plain-JS oracle with TensorFlow's semantics (ids outside [0, numSegments) are dropped). The tfjs
 * cpu kernel is no oracle here: it spreads NaN to every segment and fails on multi-dimensional ids.
 */
function referenceSegmentSum(values: ArrayLike<number>, ids: number[], innerSize: number, numSegments: number): Float64Array {
  const out = new Float64Array(numSegments * innerSize);
  ids.forEach((id, row) => {
    if (id < 0 || id >= numSegments) return;
    for (let k = 0; k < innerSize; k++) out[id * innerSize + k] += values[row * innerSize + k];
  });
  return out;
}

interface SegmentCase {
  shape: number[];
  ids: number[];
  idsShape: number[];
  numSegments: number;
  dtype?: 'float32' | 'int32';
  /** A row whose values are all NaN. */
  nanRow?: number;
}

async function expectSegmentSum({ shape, ids, idsShape, numSegments, dtype = 'float32', nanRow }: SegmentCase) {
  const innerShape = shape.slice(idsShape.length);
  const innerSize = innerShape.reduce((a, b) => a * b, 1);
  const values = Array.from(pseudoRandom(ids.length * innerSize, shape.length + numSegments), (v, i) =>
    Math.floor(i / innerSize) === nanRow ? NaN : dtype === 'int32' ? Math.round(v * 50) : v,
  );
  const [actual] = await runOn('wasm', () => {
    // tfjs types the ids as 1-D; the op takes ids of any leading shape, which these cases exercise.
    const segmentIds: tf.Tensor = tf.tensor(ids, idsShape, 'int32');
    return tf.unsortedSegmentSum(tf.tensor(values, shape, dtype), segmentIds as tf.Tensor1D, numSegments);
  });
  expect(actual.shape).toEqual([numSegments, ...innerShape]);
  const expected = referenceSegmentSum(values, ids, innerSize, numSegments);
  const reference: Result = { shape: actual.shape, values: Float32Array.from(expected) };
  expect(relativeError([actual], [reference])).toBeLessThan(1e-6);
}

describe('wasm UnsortedSegmentSum', () => {
  beforeAll(() => initBackend('wasm'));

  it('sums duplicate ids and leaves unused segments zero', async () => {
    await expectSegmentSum({ shape: [10, 3], ids: [3, 1, 3, 0, 1, 1, 3, 0, 0, 3], idsShape: [10], numSegments: 6 });
  });

  it('drops negative and too-large ids, NaN in a dropped row included', async () => {
    await expectSegmentSum({ shape: [6, 2], ids: [2, -1, 4, 7, 0, -3], idsShape: [6], numSegments: 4, nanRow: 1 });
  });

  it('handles rank-1 values, multi-dimensional ids and int32 values', async () => {
    await expectSegmentSum({ shape: [6], ids: [1, 1, 0, 2, 2, 2], idsShape: [6], numSegments: 3 });
    await expectSegmentSum({ shape: [2, 3, 4], ids: [0, 2, 2, 1, 0, 2], idsShape: [2, 3], numSegments: 3 });
    await expectSegmentSum({ shape: [3, 2], ids: [1, 0, 1], idsShape: [3], numSegments: 2, dtype: 'int32' });
  });

  it('copes with many segments (400 rows spread over 3000 segments)', async () => {
    const ids = Array.from({ length: 400 }, (_, i) => (i * 7919) % 3000);
    await expectSegmentSum({ shape: [400, 8], ids, idsShape: [400], numSegments: 3000 });
  });

  it('gives tf.gather its cpu gradient on wasm', async () => {
    const gatherGrad = () =>
      tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.gather(x, tf.tensor1d([4, 0, 4, 2], 'int32'), 1), randomTensor([3, 4, 2], 26))))(
        randomTensor([3, 5, 2], 27),
      );
    const expected = await runOn('cpu', gatherGrad);
    expect(relativeError(await runOn('wasm', gatherGrad), expected)).toBeLessThan(1e-6);
  });

  it('rejects ids that are not a prefix of the values shape', async () => {
    await initBackend('wasm');
    const before = tf.memory().numTensors;
    tf.tidy(() =>
      expect(() => tf.unsortedSegmentSum(tf.zeros([4, 2]), tf.tensor1d([0, 1, 0], 'int32'), 2)).toThrow(
        'UnsortedSegmentSum (wasm): segmentIds shape [3] is not a prefix of x shape [4,2]',
      ),
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
