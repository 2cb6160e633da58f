import * as fs from 'fs';
import * as path from 'path';
import { KNOWN_THREADED_BUILD, shortenPoolSpin, SPIN_ITERATIONS } from '../../../src/core/backend/pthreadpool-spin';

const WASM_OUT = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm'));
const read = (file: string) => new Uint8Array(fs.readFileSync(path.join(WASM_OUT, file)));

/** Signed LEB128 decoding of the i32.const operand at `at` + 1. */
function constantAt(bytes: Uint8Array, at: number): number {
  let [value, shift, i] = [0, 0, at + 1];
  for (let byte = 0x80; byte & 0x80; shift += 7) value |= ((byte = bytes[i++]) & 0x7f) << shift;
  return value;
}

describe('pthreadpool spin shortening', () => {
  it('rewrites exactly the three spin counts of the installed threaded build, which stays valid', () => {
    const original = read('tfjs-backend-wasm-threaded-simd.wasm');
    const { bytes, patched } = shortenPoolSpin(original);
    expect(patched).toBe(true);
    expect(KNOWN_THREADED_BUILD.spinConstants.map((at) => constantAt(original, at))).toEqual([1e6, 1e6, 1e6]);
    expect(KNOWN_THREADED_BUILD.spinConstants.map((at) => constantAt(bytes, at))).toEqual([SPIN_ITERATIONS, SPIN_ITERATIONS, SPIN_ITERATIONS]);
    const changed = Array.from(bytes.keys()).filter((i) => bytes[i] !== original[i]);
    expect(changed.every((i) => KNOWN_THREADED_BUILD.spinConstants.some((at) => i > at && i <= at + 3))).toBe(true);
    expect(bytes.length).toBe(original.length);
    expect(WebAssembly.validate(new Uint8Array(bytes))).toBe(true);
    expect(constantAt(read('tfjs-backend-wasm-threaded-simd.wasm'), KNOWN_THREADED_BUILD.spinConstants[0])).toBe(1e6); // the file is untouched
  });

  it('leaves any other build as it is', () => {
    const other = read('tfjs-backend-wasm-simd.wasm');
    const result = shortenPoolSpin(other);
    expect(result.patched).toBe(false);
    expect(result.bytes).toBe(other);
  });

  it('refuses a build with the known digest but other bytes at the offsets', () => {
    const bytes = new Uint8Array(400_000);
    const digest = require('crypto').createHash('sha256').update(bytes).digest('hex');
    expect(() => shortenPoolSpin(bytes, { sha256: digest, spinConstants: [10] })).toThrow(/unexpected bytes at 10/);
  });
});
