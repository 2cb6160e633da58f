/**
 * Every loss on the webgpu backend against the reference fixtures, with the checks and tolerances
 * the cpu and wasm backends meet (test/losses): bce, focal and ce against PyTorch/torchvision,
 * asl and asl-optimized against the official AsymmetricLoss classes, asl-single-label against
 * ASLSingleLabel, and focal-softmax against ASLSingleLabel's focal cases. Forward and gradient both
 * run as WebGPU shaders (WEBGPU_CPU_FORWARD off), so nothing is computed on the CPU instead.
 */
import { tf } from '../../src/core/tf';
import { initBackend } from '../../src/core/backend/init';
import { bcePlugin } from '../../src/losses/bce';
import { focalPlugin } from '../../src/losses/focal';
import { crossEntropyPlugin } from '../../src/losses/cross-entropy';
import { expectTorchCase, torchCases } from '../losses/torch-reference';
import { expectAslCase, expectSingleLabelCase, expectSoftmaxFocalCase, multilabelCases, rows, singleLabelCases, softmaxFocalCases } from '../losses/asl-reference';
import { describeWebgpu, itReportsTheAdapter } from './webgpu-available';

itReportsTheAdapter('the losses against the reference fixtures');

describeWebgpu('losses on webgpu against the reference fixtures', () => {
  beforeAll(async () => {
    await initBackend('webgpu');
  });

  it('is the webgpu backend, every op on the GPU', () => {
    expect(tf.getBackend()).toBe('webgpu');
    expect(tf.env().getBool('WEBGPU_CPU_FORWARD')).toBe(false);
  });

  it.each(torchCases('bce'))('bce %s matches torch', (_, c) => expectTorchCase(bcePlugin, c));
  it.each(torchCases('focal'))('focal %s matches torchvision', (_, c) => expectTorchCase(focalPlugin, c));
  it.each(torchCases('ce'))('ce %s matches torch', (_, c) => expectTorchCase(crossEntropyPlugin, c));
  it.each(rows(multilabelCases))('asl %s matches the reference implementation', (_, c) => expectAslCase(c));
  it.each(rows(singleLabelCases))('asl-single-label %s matches the reference implementation', (_, c) => expectSingleLabelCase(c));
  it.each(rows(softmaxFocalCases))('focal-softmax as %s matches the reference implementation', (_, c) => expectSoftmaxFocalCase(c));
});
