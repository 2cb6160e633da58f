import { tf } from '../../../../src/core/tf';
import { initBackend } from '../../../../src/core/backend/init';
import { registerWasmTrainingKernels } from '../../../../src/core/backend/wasm-kernels';

const REPLACED = [
  tf.Conv2DBackpropFilter,
  tf.Conv2DBackpropInput,
  tf.DepthwiseConv2dNativeBackpropFilter,
  tf.DepthwiseConv2dNativeBackpropInput,
  tf.UnsortedSegmentSum,
  tf.MaxPoolGrad,
];

describe('registerWasmTrainingKernels', () => {
  it('replaces the stock wasm kernels once and is idempotent', async () => {
    await initBackend('wasm');
    const registered = REPLACED.map((name) => tf.getKernel(name, 'wasm')?.kernelFunc);
    expect(registered.every((f) => typeof f === 'function')).toBe(true);
    // Our kernels have no setup function; the stock Conv2DBackpropInput and MaxPoolGrad do.
    expect(REPLACED.map((name) => tf.getKernel(name, 'wasm')?.setupFunc)).toEqual(REPLACED.map(() => undefined));

    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    registerWasmTrainingKernels();
    registerWasmTrainingKernels();
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
    expect(REPLACED.map((name) => tf.getKernel(name, 'wasm')?.kernelFunc)).toEqual(registered);
  });
});
