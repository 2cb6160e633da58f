import { tf } from '../../../../src/core/tf';
import { initBackend } from '../../../../src/core/backend/init';
import { gemmConvolution, type WasmBackendMemory } from '../../../../src/core/backend/wasm-kernels/conv2d-gemm';
import { simdKernelsFor } from '../../../../src/core/backend/simd/simd-kernels';
import { expectWasmMatches, expectWasmMatchesCpu, randomTensor } from './cpu-oracle';

interface ForwardCase {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: 'same' | 'valid' | number;
  dilations?: number | [number, number];
  /** Whether our GEMM (rather than XNNPACK) computes it. */
  gemm: boolean;
}

const CASES: ForwardCase[] = [
  // The GEMM path: output channels in whole GEMM columns, at least 64 filter taps.
  { x: [2, 9, 9, 8], filter: [3, 3, 8, 16], strides: 2, pad: 'same', gemm: true },
  { x: [6, 9, 9, 8], filter: [3, 3, 8, 16], strides: 2, pad: 'same', gemm: true }, // one unit per image
  { x: [3, 7, 6, 16], filter: [3, 3, 16, 8], strides: 1, pad: 'valid', gemm: true },
  { x: [1, 11, 10, 8], filter: [3, 3, 8, 24], strides: [2, 1], pad: 1, dilations: 1, gemm: true },
  { x: [2, 12, 12, 8], filter: [3, 3, 8, 8], strides: 1, pad: 'same', dilations: [2, 3], gemm: true },
  { x: [2, 5, 6, 64], filter: [1, 1, 64, 16], strides: 1, pad: 'valid', gemm: true },
  { x: [2, 8, 8, 80], filter: [1, 1, 80, 8], strides: 2, pad: 'same', gemm: true },
  // XNNPACK's kernel: too few taps, or channels off the GEMM columns.
  { x: [2, 9, 9, 3], filter: [3, 3, 3, 16], strides: 2, pad: 'same', gemm: false },
  { x: [2, 9, 9, 8], filter: [3, 3, 8, 5], strides: 1, pad: 'same', gemm: false },
];

describe('wasm Conv2D on the SIMD GEMM matches the cpu kernel', () => {
  beforeAll(() => initBackend('wasm'));

  it.each(CASES.map((c) => [`x ${c.x} filter ${c.filter} stride ${c.strides} pad ${c.pad} dilation ${c.dilations ?? 1}`, c] as const))(
    '%s',
    async (_name, c) => {
      await initBackend('wasm');
      const run = jest.spyOn(simdKernelsFor(tf.backend())!, 'run');
      try {
        await expectWasmMatchesCpu(() => tf.conv2d(randomTensor(c.x, 1) as tf.Tensor4D, randomTensor(c.filter, 2) as tf.Tensor4D, c.strides, c.pad, 'NHWC', c.dilations));
        expect(run.mock.calls.length > 0).toBe(c.gemm);
      } finally {
        run.mockRestore();
      }
    },
  );

  it('cuts a batch into groups of images when the column buffer would exceed its bound', async () => {
    const c = { x: [5, 9, 8, 8], filter: [3, 3, 8, 16] } as const;
    const info = tf.backend_util.computeConv2DInfo([...c.x], [...c.filter], 2, 1, 'same');
    const inputs = () => [randomTensor([...c.x], 1), randomTensor([...c.filter], 2)] as tf.Tensor4D[];
    await expectWasmMatches(
      () => {
        const [x, filter] = inputs();
        return tf.conv2d(x, filter, 2, 'same');
      },
      () => {
        const [x, filter] = inputs();
        const backend = tf.backend() as unknown as WasmBackendMemory;
        const oneImageBytes = info.outHeight * info.outWidth * 72 * 4;
        return tf.engine().makeTensorFromTensorInfo(gemmConvolution(backend, simdKernelsFor(backend)!, x, filter, info, oneImageBytes));
      },
    );
  });
});
