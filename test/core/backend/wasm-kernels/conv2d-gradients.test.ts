import { tf } from '../../../../src/core/tf';
import { initBackend } from '../../../../src/core/backend/init';
import { conv2dFilterGradient, conv2dInputGradient } from '../../../../src/core/backend/wasm-kernels/conv2d-gradients';
import { gemmFilterGradient, gemmInputGradient, type WasmBackendMemory } from '../../../../src/core/backend/wasm-kernels/conv2d-gemm';
import { UnitKind } from '../../../../src/core/backend/simd/kernels-wat';
import { simdKernelsFor } from '../../../../src/core/backend/simd/simd-kernels';
import { expectWasmMatches, expectWasmMatchesCpu, randomTensor } from './cpu-oracle';

type Pad = tf.Conv2DBackpropFilterAttrs['pad'];

/** Typed convolution attributes as runKernel takes them (tfjs's own ops cast the same way: explicit padding is no `Attribute`). */
const kernelAttrs = (attrs: tf.Conv2DBackpropFilterAttrs | tf.Conv2DBackpropInputAttrs): tf.NamedAttrMap => attrs as unknown as tf.NamedAttrMap;

interface ConvCase {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const CASES: ConvCase[] = [
  { x: [2, 7, 7, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { x: [2, 7, 7, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'valid' },
  { x: [2, 8, 8, 3], filter: [3, 3, 3, 5], strides: 2, pad: 'same' },
  { x: [1, 9, 11, 2], filter: [3, 3, 2, 3], strides: 2, pad: 'valid' },
  { x: [2, 10, 9, 3], filter: [5, 5, 3, 2], strides: 3, pad: 'same' },
  { x: [2, 11, 10, 4], filter: [5, 5, 4, 3], strides: 3, pad: 'valid' },
  { x: [2, 6, 7, 8], filter: [1, 1, 8, 4], strides: 2, pad: 'valid' },
  { x: [2, 6, 7, 8], filter: [1, 1, 8, 4], strides: 3, pad: 'same' },
  { x: [1, 5, 7, 2], filter: [2, 2, 2, 3], strides: [2, 1], pad: 'same' },
  { x: [1, 4, 4, 1], filter: [5, 5, 1, 2], strides: 1, pad: 'same' },
  { x: [1, 3, 3, 2], filter: [3, 3, 2, 2], strides: 3, pad: 'valid' },
  { x: [2, 9, 8, 3], filter: [3, 3, 3, 2], strides: 2, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { x: [1, 8, 8, 2], filter: [3, 3, 2, 2], strides: 2, pad: [[0, 0], [4, 0], [0, 3], [0, 0]] },
  { x: [2, 9, 9, 3], filter: [3, 3, 3, 4], strides: 2, pad: 1, dimRoundingMode: 'ceil' },
  { x: [4, 16, 16, 8], filter: [3, 3, 8, 16], strides: 2, pad: 'same' },
  // Batches of 4 and more run one unit per image; 11 images make partial sums of several images.
  { x: [4, 7, 7, 3], filter: [3, 3, 3, 5], strides: 1, pad: 'same' },
  { x: [11, 6, 6, 3], filter: [3, 3, 3, 8], strides: 2, pad: 'same' },
  { x: [6, 9, 8, 4], filter: [2, 3, 4, 3], strides: [2, 1], pad: 'valid' },
  // Output channels in whole GEMM columns (8): the filter gradient's GEMM path too.
  { x: [2, 9, 9, 5], filter: [3, 3, 5, 8], strides: 2, pad: 'same' },
  { x: [2, 6, 6, 16], filter: [1, 1, 16, 8], strides: 1, pad: 'valid' },
  { x: [3, 7, 5, 4], filter: [3, 2, 4, 16], strides: [1, 2], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { x: [1, 6, 6, 3], filter: [4, 4, 3, 24], strides: 3, pad: 'valid', dimRoundingMode: 'floor' },
];

const NAMED_CASES = CASES.map((c) => [`x ${c.x} filter ${c.filter} stride ${c.strides} pad ${JSON.stringify(c.pad)}`, c] as const);

function forwardOutputShape(c: ConvCase): number[] {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, c.dimRoundingMode);
  return info.outShape;
}

describe('wasm Conv2DBackpropFilter / Conv2DBackpropInput match the cpu kernels', () => {
  beforeAll(() => initBackend('wasm'));

  it.each(NAMED_CASES)('filter gradient, %s', async (_name, c) => {
    await expectWasmMatchesCpu(() =>
      tf.engine().runKernel(
        tf.Conv2DBackpropFilter,
        { x: randomTensor(c.x, 1), dy: randomTensor(forwardOutputShape(c), 2) },
        kernelAttrs({ strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: c.dimRoundingMode, filterShape: c.filter }),
      ) as tf.Tensor,
    );
  });

  it.each(NAMED_CASES)('input gradient, %s', async (_name, c) => {
    await expectWasmMatchesCpu(() =>
      tf.engine().runKernel(
        tf.Conv2DBackpropInput,
        { dy: randomTensor(forwardOutputShape(c), 3), filter: randomTensor(c.filter, 4) },
        kernelAttrs({ strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: c.dimRoundingMode, inputShape: c.x }),
      ) as tf.Tensor,
    );
  });

  // The kernels above take the GEMM path wherever it applies; the composition stays the path where
  // our SIMD kernels are not loaded (tfjs's own wasm backend), so it is checked on every case too.
  it.each(NAMED_CASES)('composed filter and input gradients, %s', async (_name, c) => {
    const dyShape = forwardOutputShape(c);
    const filterAttrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC' as const, dimRoundingMode: c.dimRoundingMode, filterShape: c.filter };
    const inputAttrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC' as const, dimRoundingMode: c.dimRoundingMode, inputShape: c.x };
    const inputs = () => [randomTensor(c.x, 1), randomTensor(dyShape, 2), randomTensor(c.filter, 4)] as tf.Tensor4D[];
    await expectWasmMatches(
      () => {
        const [x, dy, filter] = inputs();
        return [tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, kernelAttrs(filterAttrs)), tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter }, kernelAttrs(inputAttrs))] as tf.Tensor[];
      },
      () => {
        const [x, dy, filter] = inputs();
        return [conv2dFilterGradient(x, dy, filterAttrs), conv2dInputGradient(dy, filter, inputAttrs)];
      },
    );
  });

  // Groups of one image (each pass over the group) and of four (one unit per image; the second
  // group adds to the first's sum, the last image alone runs the passes).
  it.each([
    [8, 1],
    [5, 1],
    [8, 4],
    [5, 4],
  ])('cuts a batch into groups of images when the column buffer would exceed its bound (Co %i, %i per group)', async (co, perGroup) => {
    const c = { x: [9, 9, 8, 4], filter: [3, 3, 4, co], strides: 2, pad: 'same' } as ConvCase;
    const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
    const inputs = () => [randomTensor(c.x, 1), randomTensor(info.outShape, 2), randomTensor(c.filter, 3)] as tf.Tensor4D[];
    // Per image: 36 taps of columns (40 padded for the input gradient), 8 of padded dy for Co 5.
    const groupBytes = perGroup * info.outHeight * info.outWidth * 48 * 4;
    await expectWasmMatches(
      () => {
        const [x, dy, filter] = inputs();
        const filterAttrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC' as const, filterShape: c.filter };
        const inputAttrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC' as const, inputShape: c.x };
        return [tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, filterAttrs), tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter }, inputAttrs)] as tf.Tensor[];
      },
      () => {
        const [x, dy, filter] = inputs();
        const backend = tf.backend() as unknown as WasmBackendMemory;
        const kernels = simdKernelsFor(backend)!;
        expect(kernels).toBeDefined();
        const engine = tf.engine();
        const run = jest.spyOn(kernels, 'run');
        try {
          const gradients = [
            engine.makeTensorFromTensorInfo(gemmFilterGradient(backend, kernels, x, dy, info, groupBytes)),
            engine.makeTensorFromTensorInfo(gemmInputGradient(backend, kernels, dy, filter, info, groupBytes)),
          ];
          const kinds = run.mock.calls.map(([kind]) => kind);
          expect([UnitKind.Im2colFilterGradient, UnitKind.GemmCol2im].map((kind) => kinds.includes(kind))).toEqual([perGroup >= 4, perGroup >= 4]);
          return gradients;
        } finally {
          run.mockRestore();
        }
      },
    );
  });

  it('gives tf.grad of conv2d and conv2dTranspose the cpu values', async () => {
    const c = CASES[4];
    await expectWasmMatchesCpu(() => {
      const x = randomTensor(c.x, 5) as tf.Tensor4D;
      const w = randomTensor(c.filter, 6) as tf.Tensor4D;
      const outShape = forwardOutputShape(c);
      const weights = randomTensor(outShape, 7);
      const viaConv = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad), weights)),
      )([x, w]);
      const dy = randomTensor(outShape, 8) as tf.Tensor4D;
      const viaTranspose = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, c.x, c.strides, c.pad as 'same'), x)),
      )([dy, w]);
      return [...viaConv, ...viaTranspose];
    });
  });

  it('names the kernel and the problem on NCHW and on a wrong dy shape', async () => {
    await initBackend('wasm');
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const x = tf.zeros([1, 2, 5, 5]);
      const dy = tf.zeros([1, 2, 5, 5]);
      const attrs = { strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 2, 2] };
      expect(() => tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs)).toThrow(
        "Conv2DBackpropFilter (wasm): dataFormat 'NCHW' is unsupported; use 'NHWC'",
      );
      const badDy = tf.zeros([1, 4, 4, 2]);
      const nhwc = { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: [1, 5, 5, 2] };
      expect(() => tf.engine().runKernel(tf.Conv2DBackpropInput, { dy: badDy, filter: tf.zeros([3, 3, 2, 2]) }, nhwc)).toThrow(
        'Conv2DBackpropInput (wasm): dy has shape [1,4,4,2], the forward output is [1,5,5,2]',
      );
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});
