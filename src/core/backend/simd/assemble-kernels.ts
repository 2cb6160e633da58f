/**
 * Build step: assembles every variant of our SIMD module's text with wabt (a devDependency; the
 * runtime only reads the binaries) and writes them where kernel-binaries.ts reads them.
 *
 *   node dist/core/backend/simd/assemble-kernels.js   (the last step of `npm run build`)
 */
import * as fs from 'fs';
import * as path from 'path';
import { kernelsWat } from './kernels-wat';
import { KERNEL_BINARY_DIR, KERNEL_VARIANTS, kernelBinaryName, type KernelVariant } from './kernel-binaries';

interface Wabt {
  parseWat(name: string, text: string, features: object): { toBinary(options: object): { buffer: Uint8Array }; destroy(): void };
}

/** The binary `variant`'s text assembles to. */
export async function assembleKernels(variant: KernelVariant): Promise<Uint8Array> {
  const wabt = await (require('wabt') as () => Promise<Wabt>)();
  const parsed = wabt.parseWat(kernelBinaryName(variant).replace(/\.wasm$/, '.wat'), kernelsWat(variant), { simd: true, relaxed_simd: true, threads: true, bulk_memory: true });
  try {
    return parsed.toBinary({}).buffer;
  } finally {
    parsed.destroy();
  }
}

if (require.main === module) {
  (async () => {
    for (const variant of KERNEL_VARIANTS) fs.writeFileSync(path.join(KERNEL_BINARY_DIR, kernelBinaryName(variant)), await assembleKernels(variant));
  })().catch((err: Error) => {
    console.error(`assemble-kernels: ${err.message.split('\n')[0]}`);
    process.exitCode = 1;
  });
}
