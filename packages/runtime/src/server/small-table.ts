/**
 * A connection's table of callbacks by id, or of calls in flight by request id. Most hold
 * one entry (a subscription, a sequential caller's call), and a `Map` with one entry costs
 * ~240 bytes of heap, as much as the rest of the connection's callback state, and the time
 * to make one per call: the first entry is kept inline, a `Map` made for a second.
 */
export class SmallTable<K, T> {
  #onlyKey: K | undefined;
  #only: T | undefined;
  #map: Map<K, T> | undefined;

  get size(): number {
    return this.#map !== undefined ? this.#map.size : this.#only === undefined ? 0 : 1;
  }

  get(key: K): T | undefined {
    if (this.#map !== undefined) return this.#map.get(key);
    return this.#onlyKey === key ? this.#only : undefined;
  }

  /** (Values are never undefined.) */
  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  set(key: K, value: T): void {
    if (this.#map !== undefined) {
      this.#map.set(key, value);
    } else if (this.#only === undefined || this.#onlyKey === key) {
      this.#onlyKey = key;
      this.#only = value;
    } else {
      this.#map = new Map<K, T>([
        [this.#onlyKey as K, this.#only],
        [key, value],
      ]);
      this.#onlyKey = undefined;
      this.#only = undefined;
    }
  }

  delete(key: K): void {
    if (this.#map !== undefined) {
      this.#map.delete(key);
    } else if (this.#onlyKey === key) {
      this.#onlyKey = undefined;
      this.#only = undefined;
    }
  }

  /** The entries now, in the order they were set (a copy: the table may change meanwhile). */
  values(): T[] {
    if (this.#map !== undefined) return [...this.#map.values()];
    return this.#only === undefined ? [] : [this.#only];
  }
}
