/**
 * The time limit of request bodies: every body being read has a deadline, and one shared
 * interval expires the overdue ones (no timer per request, and none at all while idle).
 */

/**
 * What a body reader is while it is watched: a link of the deadline list, in the object
 * itself, so that watching and cancelling allocate nothing.
 */
export abstract class WatchedDeadline {
  /** When it expires (`Date.now()` time); 0 while not watched. */
  dueAt = 0;
  earlier: WatchedDeadline | undefined = undefined;
  later: WatchedDeadline | undefined = undefined;

  /** Called once, by the sweep, when the deadline passed before `cancel`. */
  abstract expire(): void;
}

export class BodyDeadlines {
  readonly #timeoutMs: number;
  readonly #tickMs: number;
  /**
   * The watched entries, a doubly linked list from the earliest deadline to the latest. All
   * share one timeout, so appending keeps it in deadline order.
   */
  #earliest: WatchedDeadline | undefined;
  #latest: WatchedDeadline | undefined;
  #timer: NodeJS.Timeout | undefined;

  /** `timeoutMs` 0 (or not finite) turns the limit off. */
  constructor(timeoutMs: number) {
    this.#timeoutMs = Number.isFinite(timeoutMs) && timeoutMs > 0 ? timeoutMs : 0;
    // A tenth of the limit, so a body is cut at most 10 % late; at least every second.
    this.#tickMs = Math.min(1000, Math.max(10, Math.floor(this.#timeoutMs / 10)));
  }

  /** Calls `entry.expire()` once, unless `cancel(entry)` comes first, after the timeout. */
  watch(entry: WatchedDeadline): void {
    if (this.#timeoutMs === 0 || entry.dueAt !== 0) return;
    entry.dueAt = Date.now() + this.#timeoutMs;
    entry.earlier = this.#latest;
    entry.later = undefined;
    if (this.#latest === undefined) this.#earliest = entry;
    else this.#latest.later = entry;
    this.#latest = entry;
    this.#timer ??= setInterval(() => this.#sweep(), this.#tickMs).unref();
  }

  cancel(entry: WatchedDeadline): void {
    if (entry.dueAt === 0) return;
    entry.dueAt = 0;
    const { earlier, later } = entry;
    if (earlier === undefined) this.#earliest = later;
    else earlier.later = later;
    if (later === undefined) this.#latest = earlier;
    else later.earlier = earlier;
    // Unlinked entries must not keep their neighbours (and their requests) reachable.
    entry.earlier = undefined;
    entry.later = undefined;
  }

  #sweep(): void {
    const now = Date.now();
    // Each expiry unlinks the earliest first, so the list's head is always the next to check.
    for (let entry = this.#earliest; entry !== undefined && entry.dueAt <= now;) {
      this.cancel(entry);
      entry.expire();
      entry = this.#earliest;
    }
    // Stopped only here, not on every cancel: under steady traffic the interval just runs.
    if (this.#earliest === undefined) this.stop();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
