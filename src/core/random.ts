/**
 * A small seeded pseudo-random generator (xoshiro128**, Blackman & Vigna) whose whole position
 * is four uint32 words, so a training run can checkpoint it and resume the exact sequence.
 * Independent streams (per epoch, per item, per worker) come from `Rng.derive(seed, ...labels)`
 * or `rng.fork(label)`, which hash the labels into a fresh state instead of sharing one stream:
 * the values an item sees then do not depend on how many draws happened before it.
 */

/** FNV-1a over UTF-16 code units: turns a string label into 32 bits. */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Murmur3's finaliser: a bijective 32-bit mix, so nearby inputs give unrelated outputs. */
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** One label of a derivation path → 32 bits. Integers are hashed by value, strings by content. */
function labelBits(label: string | number): number {
  if (typeof label === 'number') {
    if (!Number.isInteger(label)) throw new Error(`Rng: numeric label must be an integer, got ${label}`);
    // Split into two 32-bit halves so labels beyond 2^32 (still safe integers) stay distinct.
    return mix32((label >>> 0) ^ mix32(Math.floor(label / 0x100000000) >>> 0));
  }
  return fnv1a32(label) ^ 0x9e3779b9;
}

/** SplitMix32 expansion of a 32-bit seed into a non-zero 128-bit xoshiro state. */
function expandSeed(seed: number): number[] {
  const state: number[] = [];
  let s = seed >>> 0;
  for (let i = 0; i < 4; i++) {
    s = (s + 0x9e3779b9) >>> 0;
    state.push(mix32(s));
  }
  if (!state.some((w) => w !== 0)) state[0] = 1; // xoshiro's only invalid state
  return state;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export class Rng {
  private s: Uint32Array;

  /** @param seed any safe integer; equal seeds give equal sequences. */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new Error(`Rng: seed must be a safe integer, got ${seed}`);
    this.s = Uint32Array.from(expandSeed(labelBits(seed)));
  }

  /**
   * A stream that depends only on `seed` and the labels, e.g. `Rng.derive(seed, 'shuffle', epoch)`
   * or `Rng.derive(seed, 'augment', epoch, index)`.
   */
  static derive(seed: number, ...labels: (string | number)[]): Rng {
    return new Rng(seed).fork(...labels);
  }

  /** A restored generator; `state` comes from `getState()`. */
  static fromState(state: readonly number[]): Rng {
    const rng = new Rng(0);
    rng.setState(state);
    return rng;
  }

  /**
   * An independent stream computed from this generator's current state and the labels. The
   * parent is not advanced, so forking is a pure function of (state, labels).
   */
  fork(...labels: (string | number)[]): Rng {
    const child = new Rng(0);
    const words = Array.from(this.s);
    for (const label of labels) {
      const bits = labelBits(label);
      for (let i = 0; i < 4; i++) words[i] = mix32(words[i] ^ mix32(bits + i * 0x9e3779b9));
    }
    if (!words.some((w) => w !== 0)) words[0] = 1;
    child.s = Uint32Array.from(words);
    return child;
  }

  /** The four state words; `setState` of this array resumes the exact sequence. */
  getState(): number[] {
    return Array.from(this.s);
  }

  setState(state: readonly number[]): void {
    const ok = state.length === 4 && state.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff);
    if (!ok || state.every((w) => w === 0)) {
      throw new Error(`Rng.setState: expected 4 uint32 words, not all zero, got ${JSON.stringify(state)}`);
    }
    this.s = Uint32Array.from(state);
  }

  /** Next raw 32-bit output (xoshiro128**). */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / 0x100000000;
  }

  /** Uniform in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Uniform integer in [0, n), without modulo bias (rejection of the short last block). */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 0x100000000) throw new Error(`Rng.int: n must be an integer in [1, 2^32], got ${n}`);
    const limit = 0x100000000 - (0x100000000 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** Standard normal by Box–Muller; draws two uniforms per call (no cached spare, so state stays 4 words). */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]: log is finite
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffle<T>(array: T[]): T[] {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }
}
