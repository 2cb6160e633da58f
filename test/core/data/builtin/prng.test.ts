import { Rng } from '../../../../src/core/data/builtin/prng';
import { fnv1a32 } from '../../../../src/core/random';

describe('Rng', () => {
  it('hashes with 32-bit FNV-1a (published test vectors)', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('is deterministic per (seed, stream) and roughly uniform', () => {
    const draw = (seed: number, stream: string) => Array.from({ length: 5 }, ((r) => () => r.next())(new Rng(seed, stream)));
    expect(draw(0, 'x')).toEqual(draw(0, 'x'));
    expect(draw(0, 'x')).not.toEqual(draw(1, 'x'));
    expect(draw(0, 'x')).not.toEqual(draw(0, 'y'));
    const rng = new Rng(7, 'stats');
    const n = 20000;
    const hist = new Array(6).fill(0);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      expect(u >= 0 && u < 1).toBe(true);
      sum += u;
      hist[rng.int(2, 7) - 2]++;
    }
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.01);
    // Each of the 6 integers about n/6 times (binomial sd ~53).
    for (const c of hist) expect(Math.abs(c - n / 6)).toBeLessThan(250);
  });
});
