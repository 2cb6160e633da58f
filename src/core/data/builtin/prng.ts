/**
 * The seeded random numbers of the built-in datasets: mulberry32 (a 32-bit state generator, good
 * enough for synthetic data and the same on every platform), keyed by a seed and a stream name so
 * that each image draws from its own stream (image i is the same whatever the dataset size).
 * Training's generator (core/random.ts, xoshiro128** with a checkpointable state) is a different
 * one on purpose: this one is frozen, since the built-in datasets' bytes (their cache version)
 * and every table measured on them depend on its exact sequence.
 */
import { fnv1a32 } from '../../random';

export class Rng {
  private state: number;

  /** A generator for `stream` under `seed`, e.g. new Rng(0, 'train:17'). */
  constructor(seed: number, stream: string) {
    this.state = fnv1a32(`${seed}:${stream}`);
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [lo, hi] (both included). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** true with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }
}
