/**
 * A least-recently-used map bounded by the total byte size of its values (not by entry count),
 * for decoded and resized evaluation images.
 */
export class ByteLruCache<K, V> {
  /** Insertion order of a Map is its recency order: first = least recently used. */
  private readonly entries = new Map<K, { value: V; bytes: number }>();
  private totalBytes = 0;
  hits = 0;
  misses = 0;

  /** @param maxBytes bound on the sum of sizeOf over stored values; 0 disables caching. */
  constructor(
    readonly maxBytes: number,
    private readonly sizeOf: (value: V) => number,
  ) {
    if (!(maxBytes >= 0) || !Number.isFinite(maxBytes)) throw new Error(`cache size must be a finite number of bytes >= 0, got ${maxBytes}`);
  }

  get bytes(): number {
    return this.totalBytes;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Whether the key is stored; neither counts as a hit nor changes recency. */
  has(key: K): boolean {
    return this.entries.has(key);
  }

  /** Returns the value and marks it most recently used. */
  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Stores the value as most recently used, evicting the least recently used until it fits. A value larger than the bound is not stored. */
  set(key: K, value: V): void {
    const bytes = this.sizeOf(value);
    this.delete(key);
    if (bytes > this.maxBytes) return;
    while (this.totalBytes + bytes > this.maxBytes) {
      const oldest = this.entries.keys().next().value as K;
      this.delete(oldest);
    }
    this.entries.set(key, { value, bytes });
    this.totalBytes += bytes;
  }

  delete(key: K): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.totalBytes -= entry.bytes;
  }
}
