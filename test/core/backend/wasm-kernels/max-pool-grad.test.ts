import { tf } from '../../../../src/core/tf';
import { initBackend } from '../../../../src/core/backend/init';
import { expectWasmMatchesCpu, randomTensor } from './cpu-oracle';

interface PoolCase {
  x: [number, number, number, number];
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: tf.MaxPoolGradAttrs['pad'];
  /** Clamp the input at 0 first, so that many windows tie (all zeros), as after a ReLU. */
  relu?: boolean;
}

const CASES: PoolCase[] = [
  { x: [2, 6, 6, 4], filterSize: 3, strides: 2, pad: 'same' },
  { x: [2, 7, 7, 3], filterSize: 2, strides: 2, pad: 'valid' },
  { x: [1, 9, 8, 5], filterSize: 3, strides: 1, pad: 'same' },
  { x: [2, 11, 10, 6], filterSize: 3, strides: 3, pad: 'valid' },
  { x: [1, 8, 9, 2], filterSize: [2, 3], strides: [1, 2], pad: 'same' },
  { x: [2, 9, 9, 4], filterSize: 3, strides: 2, pad: [[0, 0], [1, 0], [0, 2], [0, 0]] },
  { x: [2, 8, 8, 8], filterSize: 3, strides: 2, pad: 'same', relu: true },
  { x: [4, 16, 16, 16], filterSize: 3, strides: 2, pad: 'same', relu: true },
];

const NAMED_CASES = CASES.map(
  (c) => [`x ${c.x} window ${c.filterSize} stride ${c.strides} pad ${JSON.stringify(c.pad)}${c.relu ? ' after relu' : ''}`, c] as const,
);

describe('wasm MaxPoolGrad matches the cpu kernel (the stock wasm one does not with > 1 channel)', () => {
  beforeAll(() => initBackend('wasm'));

  it.each(NAMED_CASES)('%s', async (_name, c) => {
    await expectWasmMatchesCpu(() => {
      const raw = randomTensor(c.x, 51) as tf.Tensor4D;
      const input = c.relu ? tf.relu(raw) : raw;
      const output = tf.maxPool(input, c.filterSize, c.strides, c.pad);
      const dy = randomTensor(output.shape, 52);
      const attrs = { filterSize: c.filterSize, strides: c.strides, pad: c.pad };
      return tf.engine().runKernel(tf.MaxPoolGrad, { dy, input, output }, attrs) as tf.Tensor;
    });
  });
});
