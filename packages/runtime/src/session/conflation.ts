/**
 * Messages held back before they get a seq, while the stream is detached or congested. A
 * message with a conflation key replaces an older queued one with the same key (latest
 * price per symbol): it leaves the older one's place and joins at the end, so it is never
 * delivered before something that was queued ahead of it. Holding them back before the seq
 * is assigned is what lets one be dropped without leaving a gap.
 */
import type { Frame } from "./frame.js";

interface Queued {
  readonly frame: Frame;
  readonly bytes: number;
}

export class ConflationQueue {
  /** Insertion-ordered: keyless messages under a fresh object key each. */
  readonly #entries = new Map<unknown, Queued>();
  #bytes = 0;

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Queues a message; with `key`, an older message of the same key is dropped. */
  push(frame: Frame, bytes: number, key?: string): void {
    const slot = key ?? {};
    const older = this.#entries.get(slot);
    if (older !== undefined) {
      this.#bytes -= older.bytes;
      this.#entries.delete(slot);
    }
    this.#entries.set(slot, { frame, bytes });
    this.#bytes += bytes;
  }

  /** Takes the oldest message out. */
  shift(): Queued | undefined {
    for (const [slot, queued] of this.#entries) {
      this.#entries.delete(slot);
      this.#bytes -= queued.bytes;
      return queued;
    }
    return undefined;
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}
