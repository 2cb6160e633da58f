/**
 * The compiled binaries of our SIMD module, one per variant the runtime may pick. They are
 * assembled from kernels-wat.ts's text at build time (assemble-kernels.ts, run by `npm run
 * build`) and shipped next to the compiled JS, so a start does not load wabt and assemble
 * (measured: about 0.1 s and 25 MiB per process).
 */
import * as fs from 'fs';
import * as path from 'path';

export interface KernelVariant {
  /** Imports a shared memory (tfjs's threaded build) or an unshared one. */
  shared: boolean;
  /** Relaxed-SIMD multiply-add (fused where the CPU has FMA), or mul then add. */
  madd: boolean;
}

export const KERNEL_VARIANTS: readonly KernelVariant[] = [
  { shared: true, madd: true },
  { shared: true, madd: false },
  { shared: false, madd: true },
  { shared: false, madd: false },
];

export function kernelBinaryName({ shared, madd }: KernelVariant): string {
  return `asl-run-simd-${shared ? 'shared' : 'unshared'}-${madd ? 'madd' : 'mul-add'}.wasm`;
}

/**
 * Where the binaries are: beside this module in dist/. Jest runs src/ through swc, so from
 * src/ this is the dist/ counterpart, which the test script builds first (`pretest`).
 */
export const KERNEL_BINARY_DIR = path.basename(path.resolve(__dirname, '../../..')) === 'src' ? path.resolve(__dirname, '../../../../dist/core/backend/simd') : __dirname;

/**
 * The binary of `variant`, from `dir` (default: KERNEL_BINARY_DIR).
 * @throws Error naming the file when it is missing (the package was not built)
 */
export function readKernelBinary(variant: KernelVariant, dir = KERNEL_BINARY_DIR): Uint8Array {
  const file = path.join(dir, kernelBinaryName(variant));
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new Error(`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found; run npm run build' : (err as Error).message}`);
  }
}
