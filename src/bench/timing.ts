/**
 * Timing helpers. These machines are noisy, so every figure the targets use is a ratio of two
 * workloads timed side by side: alternated round by round, the order flipped every round so a
 * slow drift of the machine's speed falls on both sides equally, and the median taken.
 */

export function nowMs(): number {
  return performance.now();
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('bench: median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Milliseconds of each of `reps` calls of `fn` (awaited), after `warmup` untimed calls. */
export async function timeCalls(fn: () => unknown, warmup: number, reps: number): Promise<number[]> {
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`bench: repetitions must be a positive integer, got ${reps}`);
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const start = nowMs();
    await fn();
    times.push(nowMs() - start);
  }
  return times;
}

export interface Interleaved {
  /** Seconds of side A in each round, and of side B. */
  a: number[];
  b: number[];
}

/**
 * Runs the sides in turn for `rounds` rounds, the order reversed every other round (A B C,
 * C B A, A B C, …), and returns the seconds each side took in each round: [side][round]. The
 * sides may be async (data loading).
 */
export async function interleaveSides(rounds: number, sides: ReadonlyArray<() => unknown>): Promise<number[][]> {
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`bench: rounds must be a positive integer, got ${rounds}`);
  if (sides.length === 0) throw new Error('bench: nothing to interleave');
  const seconds = sides.map((): number[] => []);
  for (let round = 0; round < rounds; round++) {
    const order = sides.map((_, i) => (round % 2 === 0 ? i : sides.length - 1 - i));
    for (const side of order) {
      const start = nowMs();
      await sides[side]();
      seconds[side].push((nowMs() - start) / 1000);
    }
  }
  return seconds;
}

/** Two sides: A B, B A, A B, … */
export async function interleave(rounds: number, a: () => unknown, b: () => unknown): Promise<Interleaved> {
  const [secondsA, secondsB] = await interleaveSides(rounds, [a, b]);
  return { a: secondsA, b: secondsB };
}

/** Median over rounds of numerator[i] / denominator[i]: the side-by-side ratio the targets use. */
export function medianRatio(numerator: readonly number[], denominator: readonly number[]): number {
  if (numerator.length !== denominator.length) throw new Error(`bench: ${numerator.length} numerators for ${denominator.length} denominators`);
  return median(numerator.map((n, i) => n / denominator[i]));
}

/** Images per second from a count and seconds, refusing a zero or negative duration. */
export function rate(images: number, seconds: number): number {
  if (!(seconds > 0)) throw new Error(`bench: cannot compute a rate over ${seconds} s`);
  return images / seconds;
}
