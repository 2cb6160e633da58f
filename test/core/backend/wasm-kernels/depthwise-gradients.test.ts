import { tf } from '../../../../src/core/tf';
import { initBackend } from '../../../../src/core/backend/init';
import { expectWasmMatches, expectWasmMatchesCpu, randomTensor } from './cpu-oracle';

interface DepthwiseCase {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  dilations: number | [number, number];
  pad: tf.DepthwiseConv2dNativeBackpropFilterAttrs['pad'];
}

const CASES: DepthwiseCase[] = [
  { x: [2, 7, 7, 3], filter: [3, 3, 3, 1], strides: 1, dilations: 1, pad: 'same' },
  { x: [2, 7, 7, 3], filter: [3, 3, 3, 2], strides: 1, dilations: 1, pad: 'valid' },
  { x: [2, 8, 8, 4], filter: [3, 3, 4, 1], strides: 2, dilations: 1, pad: 'same' },
  { x: [1, 9, 11, 2], filter: [3, 3, 2, 2], strides: 2, dilations: 1, pad: 'valid' },
  { x: [2, 10, 9, 3], filter: [5, 5, 3, 1], strides: 3, dilations: 1, pad: 'same' },
  { x: [2, 11, 10, 2], filter: [5, 5, 2, 2], strides: 3, dilations: 1, pad: 'valid' },
  { x: [2, 6, 7, 5], filter: [1, 1, 5, 2], strides: 2, dilations: 1, pad: 'same' },
  { x: [1, 5, 7, 2], filter: [2, 2, 2, 1], strides: [2, 1], dilations: 1, pad: 'same' },
  { x: [2, 9, 9, 3], filter: [3, 3, 3, 1], strides: 1, dilations: 2, pad: 'same' },
  { x: [1, 10, 8, 2], filter: [3, 3, 2, 2], strides: 1, dilations: [2, 3], pad: 'valid' },
  { x: [2, 9, 8, 3], filter: [3, 3, 3, 2], strides: 2, dilations: 1, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { x: [4, 16, 16, 16], filter: [3, 3, 16, 1], strides: 2, dilations: 1, pad: 'same' },
];

const NAMED_CASES = CASES.map(
  (c) => [`x ${c.x} filter ${c.filter} stride ${c.strides} dilation ${c.dilations} pad ${JSON.stringify(c.pad)}`, c] as const,
);

function forwardOutputShape(c: DepthwiseCase): number[] {
  return tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, c.dilations, c.pad, undefined, true).outShape;
}

/**
 * tfjs's cpu depthwise backprop kernels ignore dilation (its gradients forbid it), so dilated cases
 * are checked against the undilated cpu kernels on the zero-inserted filter, whose non-inserted
 * taps are exactly the dilated filter's.
 * @returns [(fh−1)·dh+1, (fw−1)·dw+1, C, M]
 */
function zeroInsertedShape(filter: number[], [dh, dw]: [number, number]): [number, number, number, number] {
  return [(filter[0] - 1) * dh + 1, (filter[1] - 1) * dw + 1, filter[2], filter[3]];
}

function zeroInserted(filter: tf.Tensor4D, dilations: [number, number]): tf.Tensor4D {
  const out = tf.buffer(zeroInsertedShape(filter.shape, dilations));
  const values = filter.bufferSync();
  const [fh, fw, c, m] = filter.shape;
  for (let i = 0; i < fh; i++)
    for (let j = 0; j < fw; j++)
      for (let k = 0; k < c; k++) for (let l = 0; l < m; l++) out.set(values.get(i, j, k, l), i * dilations[0], j * dilations[1], k, l);
  return out.toTensor() as tf.Tensor4D;
}

const pair = (v: number | [number, number]): [number, number] => (typeof v === 'number' ? [v, v] : v);

describe('wasm DepthwiseConv2dNativeBackpropFilter / Input match the cpu kernels', () => {
  beforeAll(() => initBackend('wasm'));

  it.each(NAMED_CASES)('filter gradient, %s', async (_name, c) => {
    const dilations = pair(c.dilations);
    const inputs = () => ({ x: randomTensor(c.x, 11), dy: randomTensor(forwardOutputShape(c), 12) });
    const attrs = { strides: c.strides, pad: c.pad };
    await expectWasmMatches(
      () => {
        const full = tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropFilter, inputs(), {
          ...attrs,
          dilations: 1,
          filterShape: zeroInsertedShape(c.filter, dilations),
        }) as tf.Tensor4D;
        return tf.stridedSlice(full, [0, 0, 0, 0], full.shape, [...dilations, 1, 1]);
      },
      () =>
        tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropFilter, inputs(), {
          ...attrs,
          dilations,
          filterShape: c.filter,
        }) as tf.Tensor,
    );
  });

  it.each(NAMED_CASES)('input gradient, %s', async (_name, c) => {
    const dilations = pair(c.dilations);
    const dy = () => randomTensor(forwardOutputShape(c), 13);
    const filter = () => randomTensor(c.filter, 14) as tf.Tensor4D;
    const attrs = { strides: c.strides, pad: c.pad, inputShape: c.x };
    await expectWasmMatches(
      () =>
        tf.engine().runKernel(
          tf.DepthwiseConv2dNativeBackpropInput,
          { dy: dy(), filter: zeroInserted(filter(), dilations) },
          { ...attrs, dilations: 1 },
        ) as tf.Tensor,
      () =>
        tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropInput, { dy: dy(), filter: filter() }, { ...attrs, dilations }) as tf.Tensor,
    );
  });

  it('gives tf.grads of depthwiseConv2d and separableConv2d the cpu values', async () => {
    await expectWasmMatchesCpu(() => {
      const x = randomTensor([2, 9, 9, 4], 15) as tf.Tensor4D;
      const depthwise = randomTensor([3, 3, 4, 2], 16) as tf.Tensor4D;
      const pointwise = randomTensor([1, 1, 8, 5], 17) as tf.Tensor4D;
      const weightsA = randomTensor([2, 5, 5, 8], 18);
      const weightsB = randomTensor([2, 9, 9, 5], 19);
      const viaDepthwise = tf.grads((a: tf.Tensor, f: tf.Tensor) =>
        tf.sum(tf.mul(tf.depthwiseConv2d(a as tf.Tensor4D, f as tf.Tensor4D, 2, 'same'), weightsA)),
      )([x, depthwise]);
      const viaSeparable = tf.grads((a: tf.Tensor, f: tf.Tensor, p: tf.Tensor) =>
        tf.sum(tf.mul(tf.separableConv2d(a as tf.Tensor4D, f as tf.Tensor4D, p as tf.Tensor4D, 1, 'same'), weightsB)),
      )([x, depthwise, pointwise]);
      return [...viaDepthwise, ...viaSeparable];
    });
  });
});
