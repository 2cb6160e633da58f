/**
 * The check that ends `setup tensorflow`: the built addon loads, and one convolution step (forward,
 * input gradient, filter gradient) on the `tensorflow` backend agrees with the same step on asl-run's
 * wasm backend, the one every other figure of the project was measured on.
 */
import { tf } from '../../tf';
import { initBackend } from '../init';
import { loadInstalledTfjsNode, tensorflowRuntime, type TensorflowRuntime } from './installed';

/** Largest difference allowed, relative to the largest magnitude of each compared tensor (float32, sums of 27 products). */
export const CONV_TOLERANCE = 1e-5;

export interface ConvStep {
  y: Float32Array;
  dx: Float32Array;
  dFilter: Float32Array;
}

/** Deterministic inputs: random generators differ between backends, so the values are a fixed function of the index. */
function ramp(size: number, phase: number): Float32Array {
  return Float32Array.from({ length: size }, (_, i) => Math.sin(i * 0.37 + phase));
}

/** conv2d (stride 2, same padding) of a [2, 9, 9, 3] batch with a [3, 3, 3, 4] filter, and the gradients of sum(y²) on the active backend. */
export async function convStep(): Promise<ConvStep> {
  const { y, dx, dFilter } = tf.tidy(() => {
    const x = tf.tensor4d(ramp(2 * 9 * 9 * 3, 0), [2, 9, 9, 3]);
    const filter = tf.tensor4d(ramp(3 * 3 * 3 * 4, 1), [3, 3, 3, 4]);
    const forward = (a: tf.Tensor4D, f: tf.Tensor4D) => tf.conv2d(a, f, 2, 'same');
    const [gx, gf] = tf.grads((a: tf.Tensor, f: tf.Tensor) => tf.sum(tf.square(forward(a as tf.Tensor4D, f as tf.Tensor4D))))([x, filter]);
    return { y: forward(x, filter), dx: gx, dFilter: gf };
  });
  const values = { y: (await y.data()) as Float32Array, dx: (await dx.data()) as Float32Array, dFilter: (await dFilter.data()) as Float32Array };
  tf.dispose([y, dx, dFilter]);
  return values;
}

/** max |a − b| / max |b|: the error relative to the reference's scale. */
export function relativeDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / (scale || 1);
}

export interface Verification extends TensorflowRuntime {
  /** Worst relative difference of the conv step's three results between tensorflow and wasm. */
  convDifference: number;
}

/**
 * Loads the installation in `installRoot` and compares the conv step on it with wasm. Throws one line when
 * it does not load or the results differ; leaves the `tensorflow` backend active.
 */
export async function verifyInstallation(installRoot: string): Promise<Verification> {
  await initBackend('wasm');
  const reference = await convStep();
  const loaded = loadInstalledTfjsNode(installRoot);
  if (typeof loaded === 'string') throw new Error(`setup tensorflow: the built addon does not load: ${loaded}`);
  if (!(await tf.setBackend('tensorflow'))) throw new Error(`setup tensorflow: ${loaded.packageDir}: the tensorflow backend failed to initialise`);
  const native = await convStep();
  const convDifference = Math.max(...(['y', 'dx', 'dFilter'] as const).map((k) => relativeDifference(native[k], reference[k])));
  if (!(convDifference <= CONV_TOLERANCE)) {
    throw new Error(`setup tensorflow: conv2d on tensorflow differs from wasm by ${convDifference.toExponential(2)} of the values' scale (tolerance ${CONV_TOLERANCE})`);
  }
  return { ...tensorflowRuntime()!, convDifference };
}
