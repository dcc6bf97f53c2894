/**
 * The callbacks one connection registered, by id. Most connections hold one (a
 * subscription), and a `Map` with one entry costs ~240 bytes of heap, as much as the rest of
 * the connection's callback state: the first entry is kept inline, a `Map` made for a second.
 */
export class CallbackTable<T> {
  #onlyId: string | undefined;
  #only: T | undefined;
  #map: Map<string, T> | undefined;

  get size(): number {
    return this.#map !== undefined ? this.#map.size : this.#only === undefined ? 0 : 1;
  }

  get(id: string): T | undefined {
    if (this.#map !== undefined) return this.#map.get(id);
    return this.#onlyId === id ? this.#only : undefined;
  }

  set(id: string, value: T): void {
    if (this.#map !== undefined) {
      this.#map.set(id, value);
    } else if (this.#only === undefined || this.#onlyId === id) {
      this.#onlyId = id;
      this.#only = value;
    } else {
      this.#map = new Map([
        [this.#onlyId!, this.#only],
        [id, value],
      ]);
      this.#onlyId = undefined;
      this.#only = undefined;
    }
  }

  delete(id: string): void {
    if (this.#map !== undefined) {
      this.#map.delete(id);
    } else if (this.#onlyId === id) {
      this.#onlyId = undefined;
      this.#only = undefined;
    }
  }

  /** The entries now, in the order they were set (a copy: the table may change meanwhile). */
  values(): T[] {
    if (this.#map !== undefined) return [...this.#map.values()];
    return this.#only === undefined ? [] : [this.#only];
  }
}
