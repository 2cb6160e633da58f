/**
 * Training kernels for the wasm backend: the gradient kernels the stock backend lacks, fast
 * replacements for its naive Conv2DBackpropInput and Tile, for its Sum and Mean over adjacent
 * axes and for its copying Identity, a correct one for its MaxPoolGrad, and the one-pass Adam
 * update. Convolutions, their gradients, ReLU's gradient, bias adds and the Adam update run on
 * our SIMD kernels (../simd) where those are loaded; the rest, and those where they are not, are
 * composed from ordinary ops or left to the stock kernels.
 */
import { tf } from '../../tf';
import { conv2dBackpropFilterKernel, conv2dBackpropInputKernel } from './conv2d-gradients';
import { depthwiseBackpropFilterKernel, depthwiseBackpropInputKernel } from './depthwise-gradients';
import { maxPoolGradKernel } from './max-pool-grad';
import { unsortedSegmentSumKernel } from './unsorted-segment-sum';
import { tileKernel } from './tile';
import { contiguousAxesReductionKernel } from './contiguous-axes-reduction';
import { sharedIdentityKernel } from './shared-identity';
import { conv2dForwardKernel } from './conv2d-forward';
import { reluGradientConfig, reluGradientKernel } from './relu';
import { adamUpdateKernel } from './adam-update';
import { biasAddKernel } from './bias-add';
import { meanGradientConfig, sumGradientConfig } from '../reduction-gradients';

const TRAINING_KERNELS: readonly tf.KernelConfig[] = [
  conv2dBackpropFilterKernel,
  conv2dBackpropInputKernel,
  depthwiseBackpropFilterKernel,
  depthwiseBackpropInputKernel,
  unsortedSegmentSumKernel,
  maxPoolGradKernel,
  reluGradientKernel,
  adamUpdateKernel,
];

/**
 * Registers (or replaces) the training kernels for backend 'wasm'. Idempotent. Loads the wasm
 * backend package first, since loading it later would re-register its stock kernels over ours.
 */
let stockWrappers: tf.KernelConfig[] | undefined;

export function registerWasmTrainingKernels(): void {
  require('@tensorflow/tfjs-backend-wasm');
  // Wrappers that keep the stock kernel for the cases they do not speed up, captured once.
  stockWrappers ??= [
    tileKernel(tf.getKernel('Tile', 'wasm')),
    contiguousAxesReductionKernel('Sum', tf.getKernel('Sum', 'wasm')),
    contiguousAxesReductionKernel('Mean', tf.getKernel('Mean', 'wasm')),
    sharedIdentityKernel(tf.getKernel('Identity', 'wasm')),
    conv2dForwardKernel(tf.getKernel('Conv2D', 'wasm')),
    biasAddKernel(tf.getKernel('Add', 'wasm')),
  ];
  // Relu's gradient uses our kernel where the backend has it (and tfjs's composition elsewhere);
  // Sum's and Mean's broadcast dy instead of multiplying by ones (same values, any backend).
  [reluGradientConfig, sumGradientConfig, meanGradientConfig].forEach((config) => tf.registerGradient(config));
  for (const config of [...TRAINING_KERNELS, ...stockWrappers]) {
    const current = tf.getKernel(config.kernelName, 'wasm');
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
}
