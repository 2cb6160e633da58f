import * as fs from 'fs';
import { findSpinConstants } from '../../../src/core/backend/spin-constant-finder';
import { KNOWN_THREADED_BUILD } from '../../../src/core/backend/pthreadpool-spin';
import { THREADED_BUILD_PATH } from '../../../src/core/backend/compat';

describe('findSpinConstants', () => {
  it('finds, in the tested threaded build, exactly the offsets the spin patch rewrites', () => {
    const found = findSpinConstants(fs.readFileSync(THREADED_BUILD_PATH));
    expect(found.map((c) => c.offset)).toEqual(KNOWN_THREADED_BUILD.spinConstants);
    // pthreadpool's three spinning functions, as wasm-objdump numbers them.
    expect(found.map((c) => c.functionIndex)).toEqual([527, 528, 529]);
  });

  it('reports only instructions: the same bytes in a data segment are not a spin count', async () => {
    const wabt = await (require('wabt') as () => Promise<{ parseWat(name: string, text: string): { toBinary(o: object): { buffer: Uint8Array }; destroy(): void } }>)();
    const parsed = wabt.parseWat('spin.wat', `(module
      (import "env" "f" (func $f))
      (import "env" "memory" (memory 1 2 shared))
      (func $first (result i32) (i32.const 7))
      (func $spins (result i32) (i32.const 1000000))
      (data (i32.const 0) "\\41\\c0\\84\\3d"))`);
    const bytes = parsed.toBinary({}).buffer;
    parsed.destroy();
    const pattern = Buffer.from([0x41, 0xc0, 0x84, 0x3d]);
    const inCode = Buffer.from(bytes).indexOf(pattern);
    expect(Buffer.from(bytes).indexOf(pattern, inCode + 1)).toBeGreaterThan(inCode); // the data segment's copy
    expect(findSpinConstants(bytes)).toEqual([{ offset: inCode, functionIndex: 2 }]);
  });

  it('rejects a file that is not a module', () => {
    expect(() => findSpinConstants(new TextEncoder().encode('{"name": "x"}'))).toThrow('not a WebAssembly module (no \\0asm header)');
  });
});
