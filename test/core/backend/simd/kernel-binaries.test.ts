import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { assembleKernels } from '../../../../src/core/backend/simd/assemble-kernels';
import { KERNEL_VARIANTS, kernelBinaryName, readKernelBinary } from '../../../../src/core/backend/simd/kernel-binaries';

describe('the SIMD binaries shipped in dist/', () => {
  // Built by `npm run build` (pretest); a change to the text without a rebuild fails here.
  it.each(KERNEL_VARIANTS.map((v) => [kernelBinaryName(v), v] as const))('%s is exactly what the text assembles to', async (_name, variant) => {
    const shipped = readKernelBinary(variant);
    const assembled = await assembleKernels(variant);
    expect(shipped.byteLength).toBeGreaterThan(1000);
    expect(Buffer.from(shipped).equals(Buffer.from(assembled))).toBe(true);
  });

  it('are four different modules', () => {
    const digests = new Set(KERNEL_VARIANTS.map((v) => Buffer.from(readKernelBinary(v)).toString('base64')));
    expect(digests.size).toBe(4);
  });

  it('names the missing file and what to run when one is absent', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'asl-run-binaries-'));
    try {
      expect(() => readKernelBinary({ shared: true, madd: true }, empty)).toThrow(`${path.join(empty, 'asl-run-simd-shared-madd.wasm')}: not found; run npm run build`);
    } finally {
      fs.rmSync(empty, { recursive: true });
    }
  });
});
