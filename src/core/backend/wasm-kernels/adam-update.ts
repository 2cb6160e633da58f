/**
 * The Adam update (engine/adam-update.ts) for wasm as one threaded SIMD pass over p, g, m and v,
 * where our SIMD kernels are loaded; the composed update otherwise.
 */
import { tf } from '../../tf';
import { ADAM_UPDATE, composedAdamUpdate, type AdamUpdateAttrs } from '../../engine/adam-update';
import { ADAM_FLAG_DECAY, ADAM_FLAG_L2 } from '../simd/adam-update-wat';
import { UnitKind } from '../simd/kernels-wat';
import { floatParam, simdKernelsFor } from '../simd/simd-kernels';
import { composedKernel } from './composed-kernel';
import { offsetOf, type WasmBackendMemory } from './conv2d-gemm';

/** Elements per unit of work: a parameter smaller than this runs on the calling thread alone. */
const CHUNK = 1 << 14;

function simdAdamUpdate(backend: WasmBackendMemory, inputs: tf.TensorInfo[], a: AdamUpdateAttrs): tf.TensorInfo[] {
  const count = tf.util.sizeFromShape(inputs[0].shape);
  const outputs = [0, 1, 2].map(() => backend.makeOutput(inputs[0].shape, 'float32'));
  const flags = (a.decay !== 1 ? ADAM_FLAG_DECAY : 0) | (a.l2 !== 0 ? ADAM_FLAG_L2 : 0);
  // As the composed update's scalar tensors: each value rounded once, from double precision.
  const scalars = [a.decay, a.l2, a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, a.secondMomentCorrection, a.eps, a.stepSize];
  simdKernelsFor(backend)!.run(UnitKind.AdamUpdate, Math.max(1, Math.ceil(count / CHUNK)), [
    ...[...inputs, ...outputs].map((t) => offsetOf(backend, t)), count, CHUNK, flags, ...scalars.map(floatParam),
  ]);
  return outputs;
}

const composed = composedKernel<AdamUpdateAttrs>(ADAM_UPDATE, ({ p, g, m, v }, attrs) => composedAdamUpdate(p, g, m, v, attrs));

export const adamUpdateKernel: tf.KernelConfig = {
  ...composed,
  kernelFunc: (args) => {
    const { p, g, m, v } = args.inputs as Record<'p' | 'g' | 'm' | 'v', tf.TensorInfo>;
    const inputs = [p, g, m, v];
    const sameShape = inputs.every((t) => t.dtype === 'float32' && t.shape.join() === p.shape.join());
    if (sameShape && simdKernelsFor(args.backend) !== undefined) {
      return simdAdamUpdate(args.backend as unknown as WasmBackendMemory, inputs, args.attrs as unknown as AdamUpdateAttrs);
    }
    return composed.kernelFunc(args);
  },
};
