/** A sorted set of strings with prefix ranges: the KV keys (and tombstones) in the order Consul lists them. */

/** Keys kept sorted by code unit (Go's string order for ASCII keys), so a prefix is one contiguous range. */
export class SortedKeys {
  private readonly keys: string[] = [];

  get size(): number {
    return this.keys.length;
  }

  /** Adds a key (no effect when present). */
  add(key: string): void {
    const at = this.lowerBound(key);
    if (this.keys[at] !== key) this.keys.splice(at, 0, key);
  }

  /** Removes a key (no effect when absent). */
  remove(key: string): void {
    const at = this.lowerBound(key);
    if (this.keys[at] === key) this.keys.splice(at, 1);
  }

  /** Every key starting with `prefix`, in order. */
  withPrefix(prefix: string): string[] {
    if (prefix === '') return this.keys.slice();
    const from = this.lowerBound(prefix);
    let to = from;
    while (to < this.keys.length && (this.keys[to] as string).startsWith(prefix)) to += 1;
    return this.keys.slice(from, to);
  }

  clear(): void {
    this.keys.length = 0;
  }

  private lowerBound(key: string): number {
    let low = 0;
    let high = this.keys.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.keys[middle] as string) < key) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
