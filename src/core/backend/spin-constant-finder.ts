/**
 * Finds the spin counts pthreadpool-spin.ts rewrites, in a threaded tfjs-backend-wasm build:
 * every `i32.const 1000000` in the code section (the same bytes elsewhere — data, names — are
 * not instructions), with the function it sits in, so a new build's offsets can be checked
 * against its disassembly and copied into KNOWN_THREADED_BUILD (docs/tfjs-upgrade.md).
 *
 *   node dist/core/backend/spin-constant-finder.js [file.wasm]   (default: the installed build)
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import { SPIN_COUNT_INSTRUCTION } from './pthreadpool-spin';

export interface SpinConstant {
  /** Byte offset of the `i32.const` opcode in the file (what KNOWN_THREADED_BUILD lists). */
  offset: number;
  /** Index of the function in the module's function index space (imports first), as wasm-objdump numbers it. */
  functionIndex: number;
}

/** A reader of the binary format's unsigned LEB128 integers and names. */
class Cursor {
  constructor(readonly bytes: Uint8Array, public at: number) {}
  byte(): number {
    if (this.at >= this.bytes.length) throw new Error(`truncated module at byte ${this.at}`);
    return this.bytes[this.at++];
  }
  u32(): number {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const b = this.byte();
      value += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return value;
    }
  }
  skipName(): void {
    const length = this.u32(); // read before `at` is: the length's own bytes come first
    this.at += length;
  }
  skipLimits(): void {
    const flags = this.byte();
    this.u32();
    if (flags & 1) this.u32();
  }
}

/** Counts the imported functions (they come first in the function index space). */
function importedFunctions(section: Cursor): number {
  let functions = 0;
  for (let count = section.u32(); count > 0; count--) {
    section.skipName();
    section.skipName();
    const kind = section.byte();
    if (kind === 0) (functions++, section.u32());
    else if (kind === 1) (section.byte(), section.skipLimits());
    else if (kind === 2) section.skipLimits();
    else if (kind === 3) section.at += 2;
    else if (kind === 4) (section.byte(), section.u32());
    else throw new Error(`unknown import kind ${kind} at byte ${section.at - 1}`);
  }
  return functions;
}

/**
 * Every `i32.const 1000000` in the code section of `bytes`.
 * @throws Error when `bytes` is not a WebAssembly module
 */
export function findSpinConstants(bytes: Uint8Array): SpinConstant[] {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) throw new Error('not a WebAssembly module (no \\0asm header)');
  const found: SpinConstant[] = [];
  let imported = 0;
  const cursor = new Cursor(bytes, 8);
  while (cursor.at < bytes.length) {
    const id = cursor.byte();
    const size = cursor.u32();
    const end = cursor.at + size;
    if (id === 2) imported = importedFunctions(new Cursor(bytes, cursor.at));
    if (id === 10) {
      const code = new Cursor(bytes, cursor.at);
      for (let i = 0, count = code.u32(); i < count; i++) {
        const bodySize = code.u32();
        for (let at = code.at; at + SPIN_COUNT_INSTRUCTION.length <= code.at + bodySize; at++) {
          if (SPIN_COUNT_INSTRUCTION.every((b, k) => bytes[at + k] === b)) found.push({ offset: at, functionIndex: imported + i });
        }
        code.at += bodySize;
      }
    }
    cursor.at = end;
  }
  return found;
}

if (require.main === module) {
  const file = process.argv[2] ?? require('./compat').THREADED_BUILD_PATH;
  try {
    const bytes = fs.readFileSync(file);
    const spinConstants = findSpinConstants(bytes);
    console.log(JSON.stringify({ file, sha256: createHash('sha256').update(bytes).digest('hex'), spinConstants }, null, 2));
  } catch (err) {
    console.error(`spin-constant-finder: ${file}: ${(err as Error).message.split('\n')[0]}`);
    process.exitCode = 1;
  }
}
