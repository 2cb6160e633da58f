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
 * A wasm kernel that runs `replacement` where `plan` finds a plan for the call, handing it over
 * (so the replacement does not redo the checks that chose it), and the stock kernel (captured
 * before it is replaced; its setup, which binds its wasm function, kept) everywhere else.
 */
export function withStockFallback<Plan>(
  kernelName: string,
  stock: tf.KernelConfig | undefined,
  plan: (args: KernelArgs) => Plan | undefined,
  replacement: (args: KernelArgs, plan: Plan) => tf.TensorInfo | tf.TensorInfo[],
): tf.KernelConfig {
  return {
    kernelName,
    backendName: 'wasm',
    setupFunc: stock?.setupFunc,
    kernelFunc: (args) => {
      const chosen = plan(args);
      if (chosen !== undefined) return replacement(args, chosen);
      if (!stock) throw new Error(`${kernelName}: tfjs's wasm backend has no kernel for this case`);
      return stock.kernelFunc(args);
    },
  };
}
