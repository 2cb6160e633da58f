/**
 * TensorFlow.js seeds its random ops (weight initialisers, dropout) from Math.random when no
 * seed is given. Running model construction and each training step under a seeded Math.random
 * makes runs reproducible (same seed, same backend → same weights and metrics) without threading
 * seeds through every layer.
 */
import { Rng } from '../random';

export function withSeededMathRandom<T>(seed: number, fn: () => T): T {
  const original = Math.random;
  const rng = new Rng(seed);
  Math.random = () => rng.next();
  try {
    return fn();
  } finally {
    Math.random = original;
  }
}
