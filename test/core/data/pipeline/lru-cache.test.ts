import { ByteLruCache } from '../../../../src/core/data/pipeline/lru-cache';

describe('ByteLruCache', () => {
  const sized = (maxBytes: number) => new ByteLruCache<string, Uint8Array>(maxBytes, (v) => v.byteLength);

  it('evicts the least recently used entries to stay within its bound', () => {
    const cache = sized(10);
    cache.set('a', new Uint8Array(4));
    cache.set('b', new Uint8Array(4));
    expect(cache.get('a')).toBeDefined(); // a is now more recent than b
    cache.set('c', new Uint8Array(4)); // 12 > 10: b goes
    expect([cache.has('a'), cache.has('b'), cache.has('c')]).toEqual([true, false, true]);
    expect(cache.bytes).toBe(8);
    cache.set('d', new Uint8Array(9)); // needs everything else out
    expect([cache.size, cache.bytes, cache.has('d')]).toEqual([1, 9, true]);
    expect([cache.hits, cache.misses]).toEqual([1, 0]);
  });

  it('replaces an entry under the same key and skips values larger than the bound', () => {
    const cache = sized(10);
    cache.set('a', new Uint8Array(3));
    cache.set('a', new Uint8Array(5));
    expect([cache.size, cache.bytes]).toEqual([1, 5]);
    cache.set('big', new Uint8Array(11));
    expect([cache.has('big'), cache.bytes]).toEqual([false, 5]);
    expect(cache.get('zzz')).toBeUndefined();
    expect(cache.misses).toBe(1);
  });

  it('stores nothing at size 0 and rejects a negative bound', () => {
    const cache = sized(0);
    cache.set('a', new Uint8Array(1));
    expect(cache.size).toBe(0);
    expect(() => sized(-1)).toThrow(/cache size/);
  });
});
