/**
 * Training kernels for the wasm backend: the gradient kernels the stock backend lacks, fast
 * replacements for its naive Conv2DBackpropInput and Tile, for its Sum and Mean over adjacent
 * axes and for its copying Identity, a correct one for its MaxPoolGrad, and the one-pass Adam
 * update. Convolutions, their gradients, ReLU's gradient, bias adds and the Adam update run on
 * our SIMD kernels (../simd) where those are loaded; the rest, and those where they are not, are
 * composed from ordinary ops or left to the stock kernels. On a tfjs the compatibility guard
 * (../compat.ts) has not checked, only tfjs's own kernels and the composed ones run
 * (useStockWasmKernels).
 */
import { tf } from '../../tf';
import { composedFilterGradient, conv2dBackpropFilterKernel, conv2dBackpropInputKernel } from './conv2d-gradients';
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

/** Kernels built from public tf ops only, for what the stock backend lacks or gets wrong (MaxPoolGrad in 4.22). */
const COMPOSED_KERNELS: readonly tf.KernelConfig[] = [
  composedFilterGradient,
  depthwiseBackpropFilterKernel,
  depthwiseBackpropInputKernel,
  unsortedSegmentSumKernel,
  maxPoolGradKernel,
];

const STOCK_WRAPPED = ['Tile', 'Sum', 'Mean', 'Identity', 'Conv2D', 'Add'] as const;
const OVERRIDDEN_GRADIENTS = [reluGradientConfig, sumGradientConfig, meanGradientConfig];

/** tfjs's own wasm kernels and gradients for every name we register, captured before any is replaced. */
let stock: { kernels: Map<string, tf.KernelConfig | undefined>; gradients: tf.GradConfig[] } | undefined;

/** Loads the wasm backend package (loading it later would re-register its stock kernels over ours) and captures its kernels. */
function stockConfigs(): NonNullable<typeof stock> {
  require('@tensorflow/tfjs-backend-wasm');
  if (stock) return stock;
  const names = [...TRAINING_KERNELS.map((config) => config.kernelName), ...STOCK_WRAPPED];
  stock = {
    kernels: new Map(names.map((name) => [name, tf.getKernel(name, 'wasm')])),
    gradients: OVERRIDDEN_GRADIENTS.map((config) => tf.getGradient(config.kernelName)!),
  };
  return stock;
}

/** Registers `configs` for wasm, replacing what is registered under their names unless it is already them. */
function registerAll(configs: readonly tf.KernelConfig[]): void {
  for (const config of configs) {
    const current = tf.getKernel(config.kernelName, 'wasm');
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
}

/** Wrappers that keep the stock kernel for the cases they do not speed up, made once. */
let stockWrappers: tf.KernelConfig[] | undefined;

/** Registers (or replaces) the training kernels and gradient overrides for backend 'wasm'. Idempotent. */
export function registerWasmTrainingKernels(): void {
  const { kernels } = stockConfigs();
  const stockKernel = (name: (typeof STOCK_WRAPPED)[number]) => kernels.get(name);
  stockWrappers ??= [
    tileKernel(stockKernel('Tile')),
    contiguousAxesReductionKernel('Sum', stockKernel('Sum')),
    contiguousAxesReductionKernel('Mean', stockKernel('Mean')),
    sharedIdentityKernel(stockKernel('Identity')),
    conv2dForwardKernel(stockKernel('Conv2D')),
    biasAddKernel(stockKernel('Add')),
  ];
  // Relu's gradient uses our kernel where the backend has it (and tfjs's composition elsewhere);
  // Sum's and Mean's broadcast dy instead of multiplying by ones (same values, any backend).
  OVERRIDDEN_GRADIENTS.forEach((config) => tf.registerGradient(config));
  registerAll([...TRAINING_KERNELS, ...stockWrappers]);
}

/**
 * What the compatibility guard leaves on an untested tfjs: tfjs's own kernels and gradients
 * (restored where ours replaced them earlier in the process), plus COMPOSED_KERNELS, which touch
 * no tfjs internals, for the training kernels the stock backend lacks.
 */
export function useStockWasmKernels(): void {
  const { kernels, gradients } = stockConfigs();
  for (const [name, config] of kernels) {
    const current = tf.getKernel(name, 'wasm');
    if (current?.kernelFunc === config?.kernelFunc) continue;
    if (current) tf.unregisterKernel(name, 'wasm');
    if (config) tf.registerKernel(config);
  }
  gradients.forEach((config) => tf.registerGradient(config));
  registerAll(COMPOSED_KERNELS);
}
