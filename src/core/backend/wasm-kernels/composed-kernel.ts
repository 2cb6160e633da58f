/**
 * Builds wasm kernels out of ordinary tf ops. The engine runs a kernel with gradient recording
 * off but without a tidy scope, so the wrapper frees every intermediate tensor itself.
 */
import { tf } from '../../tf';

/** Kernel inputs arrive as TensorInfo when another kernel calls in; ops need Tensors. */
function asTensor(info: tf.TensorInfo): tf.Tensor {
  return info instanceof tf.Tensor ? info : tf.engine().makeTensorFromTensorInfo(info);
}

/**
 * A wasm KernelConfig whose kernelFunc runs `compute` on the inputs as Tensors inside tf.tidy.
 * @param compute receives the named inputs and the kernel's attributes; returns the output(s)
 */
export function composedKernel<Attrs>(
  kernelName: string,
  compute: (inputs: Record<string, tf.Tensor>, attrs: Attrs) => tf.Tensor | tf.Tensor[],
): tf.KernelConfig {
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs }) =>
      tf.tidy(() => {
        const tensors: Record<string, tf.Tensor> = {};
        for (const [name, info] of Object.entries(inputs)) {
          if (info !== undefined) tensors[name] = asTensor(info);
        }
        return compute(tensors, attrs as unknown as Attrs);
      }),
  };
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

/**
 * Runs `replacement` where `applies` holds and the stock kernel (captured before it is replaced;
 * its setup, which binds its wasm function, kept) everywhere else — or always `replacement` when
 * there is no stock kernel.
 */
export function withStockFallback(
  stock: tf.KernelConfig | undefined,
  replacement: tf.KernelConfig,
  applies: (args: KernelArgs) => boolean,
): tf.KernelConfig {
  return {
    ...replacement,
    setupFunc: stock?.setupFunc,
    kernelFunc: (args) => (!stock || applies(args) ? replacement.kernelFunc(args) : stock.kernelFunc(args)),
  };
}
