/**
 * The time limit of request bodies: every body being read has a deadline, and one shared
 * interval expires the overdue ones (no timer per request, and none at all while idle).
 */
export class BodyDeadlines {
  readonly #timeoutMs: number;
  readonly #tickMs: number;
  /** Expiry callback → deadline. All share one timeout, so insertion order is deadline order. */
  readonly #pending = new Map<() => void, number>();
  #timer: NodeJS.Timeout | undefined;

  /** `timeoutMs` 0 (or not finite) turns the limit off. */
  constructor(timeoutMs: number) {
    this.#timeoutMs = Number.isFinite(timeoutMs) && timeoutMs > 0 ? timeoutMs : 0;
    // A tenth of the limit, so a body is cut at most 10 % late; at least every second.
    this.#tickMs = Math.min(1000, Math.max(10, Math.floor(this.#timeoutMs / 10)));
  }

  /** Calls `expire` once, unless `cancel(expire)` comes first, after the timeout. */
  watch(expire: () => void): void {
    if (this.#timeoutMs === 0) return;
    this.#pending.set(expire, Date.now() + this.#timeoutMs);
    this.#timer ??= setInterval(() => this.#sweep(), this.#tickMs).unref();
  }

  cancel(expire: () => void): void {
    this.#pending.delete(expire);
  }

  #sweep(): void {
    const now = Date.now();
    for (const [expire, deadline] of this.#pending) {
      if (deadline > now) break;
      this.#pending.delete(expire);
      expire();
    }
    // Stopped only here, not on every cancel: under steady traffic the interval just runs.
    if (this.#pending.size === 0) this.stop();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
