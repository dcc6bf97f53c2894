/**
 * The client's callback objects of one WebSocket session: object → id (so passing the same
 * object again reuses its id and the server's proxy), id → object and its descriptor (to
 * route `$/callback`). Ids are only meaningful to the server of the current socket, so the
 * whole registry is cleared when the connection is re-established.
 */
import type { CallbackDescriptor } from "../descriptors.js";

export interface RegisteredCallback {
  readonly id: string;
  readonly object: object;
  readonly descriptor: CallbackDescriptor;
}

export class CallbackRegistry {
  #ids = new WeakMap<object, string>();
  readonly #byId = new Map<string, RegisteredCallback>();
  #counter = 0;

  /** The id of `object`, assigning a fresh one on first use. */
  idFor(object: object, descriptor: CallbackDescriptor): string {
    const known = this.#ids.get(object);
    if (known !== undefined && this.#byId.has(known)) return known;
    const id = `c${++this.#counter}`;
    this.#ids.set(object, id);
    this.#byId.set(id, { id, object, descriptor });
    return id;
  }

  get(id: string): RegisteredCallback | undefined {
    return this.#byId.get(id);
  }

  /** The id `object` travels under, if it is registered. */
  idOf(object: object): string | undefined {
    const id = this.#ids.get(object);
    return id !== undefined && this.#byId.has(id) ? id : undefined;
  }

  /** Forgets one callback; returns what was registered under `id`. */
  forget(id: string): RegisteredCallback | undefined {
    const entry = this.#byId.get(id);
    if (entry === undefined) return undefined;
    this.#byId.delete(id);
    this.#ids.delete(entry.object);
    return entry;
  }

  /** Forgets everything (a new socket knows none of the old ids). */
  clear(): RegisteredCallback[] {
    const all = [...this.#byId.values()];
    this.#byId.clear();
    this.#ids = new WeakMap();
    return all;
  }

  get size(): number {
    return this.#byId.size;
  }
}
