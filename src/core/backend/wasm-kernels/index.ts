/** Registers the gradient kernels the stock wasm backend lacks. (Filled in by the kernels work.) */
export function registerWasmTrainingKernels(): void {}
