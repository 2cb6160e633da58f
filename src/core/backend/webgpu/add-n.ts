/**
 * AddN on webgpu for any number of inputs. tfjs-backend-webgpu 4.22 binds every input of AddN
 * as a storage buffer of one shader; past the device's maxStorageBuffersPerShaderStage (8 on
 * llvmpipe's GLES adapter) the pipeline is invalid, Dawn only prints a validation error, and the
 * output is silently wrong (measured: an AddN of 8 tensors gave 140 where 204 was right). The
 * trainer's gradient norm and weight check add dozens of tensors. Like the
 * package's own Concat, this sums the inputs in groups that fit and then sums the groups.
 */
import { tf } from '../../tf';

type KernelFunc = (args: { inputs: tf.TensorInfo[]; backend: tf.KernelBackend; attrs?: unknown }) => tf.TensorInfo;

interface LimitedBackend extends tf.KernelBackend {
  device: { limits: { maxStorageBuffersPerShaderStage: number } };
  disposeData(dataId: tf.DataId): boolean;
}

/** Replaces webgpu's AddN by the grouped sum (idempotent; the stock kernel does the groups). */
export function registerGroupedAddN(): void {
  const stock = tf.getKernel(tf.AddN, 'webgpu');
  if (!stock || (stock as { grouped?: boolean }).grouped) return;
  const add = stock.kernelFunc as unknown as KernelFunc;
  const grouped: KernelFunc = ({ inputs, backend }) => {
    // One storage buffer is the output.
    const maxInputs = Math.max(2, (backend as LimitedBackend).device.limits.maxStorageBuffersPerShaderStage - 1);
    if (inputs.length <= maxInputs) return add({ inputs, backend });
    const partials: tf.TensorInfo[] = [];
    for (let i = 0; i < inputs.length; i += maxInputs) partials.push(grouped({ inputs: inputs.slice(i, i + maxInputs), backend }));
    const sum = grouped({ inputs: partials, backend });
    for (const partial of partials) (backend as LimitedBackend).disposeData(partial.dataId);
    return sum;
  };
  tf.unregisterKernel(tf.AddN, 'webgpu');
  tf.registerKernel({ ...stock, kernelFunc: grouped as unknown as tf.KernelFunc, grouped: true } as tf.KernelConfig);
}
