/**
 * A shorter spin for XNNPACK's thread pool in tfjs-backend-wasm's threaded build. pthreadpool's
 * workers, and its caller while waiting for them, busy-wait 1,000,000 iterations
 * (PTHREADPOOL_SPIN_WAIT_ITERATIONS, a compile-time constant) after every parallel op before they
 * sleep on a futex. Between XNNPACK ops our own SIMD kernels run on their own worker; on two
 * cores a spinning pool worker takes the core that worker needs. Measured on the reference CNN's
 * training step with 2 threads: 50.0 → 47.5 ms (median of 60 steps, 4 alternated pairs), the
 * forward convolutions (which follow XNNPACK's bias add and ReLU) 6.2 → 5.4 ms.
 *
 * The spin count is rewritten in place, same length, in the one build whose bytes we know: the
 * SHA-256 of the file and the offsets of its three `i32.const 1000000` (found by
 * spin-constant-finder.ts, checked against the disassembly) of tfjs-backend-wasm 4.22.0's
 * tfjs-backend-wasm-threaded-simd.wasm. Any other file is loaded as it is.
 */
import { createHash } from 'crypto';

export const KNOWN_THREADED_BUILD = {
  sha256: 'c052228d4bef185c27bbe59a9e029570c78bbb9f08b3cb46b597851650373de2',
  /** Byte offsets of the `i32.const` opcodes of the spin counts. */
  spinConstants: [374963, 375144, 375796],
};

/** Iterations kept: a few microseconds, enough to catch back-to-back ops without a futex round trip. */
export const SPIN_ITERATIONS = 1000;

const I32_CONST = 0x41;
/** 1,000,000 as signed LEB128. */
const ORIGINAL = [0xc0, 0x84, 0x3d];
/** The bytes of `i32.const 1000000`, the instruction each spin count is (spin-constant-finder.ts looks for it). */
export const SPIN_COUNT_INSTRUCTION: readonly number[] = [I32_CONST, ...ORIGINAL];

/** `value` as a 3-byte signed LEB128 (padded with continuation bits to the original's length). */
function leb3(value: number): number[] {
  if (value < 0 || value >= 1 << 20) throw new Error(`spin count ${value} does not fit 3 LEB128 bytes`);
  return [0x80 | (value & 0x7f), 0x80 | ((value >> 7) & 0x7f), (value >> 14) & 0x7f];
}

/**
 * The build with its spin counts shortened when it is the known one, else unchanged.
 * @returns the bytes to compile (a copy when patched) and whether they were patched
 */
export function shortenPoolSpin(bytes: Uint8Array, build = KNOWN_THREADED_BUILD): { bytes: Uint8Array; patched: boolean } {
  if (createHash('sha256').update(bytes).digest('hex') !== build.sha256) return { bytes, patched: false };
  const patched = Uint8Array.from(bytes);
  for (const at of build.spinConstants) {
    if (patched.subarray(at, at + 4).join() !== SPIN_COUNT_INSTRUCTION.join()) throw new Error(`pthreadpool spin patch: unexpected bytes at ${at} of a build with the known digest`);
    patched.set(leb3(SPIN_ITERATIONS), at + 1);
  }
  return { bytes: patched, patched: true };
}
