/**
 * The HTTP calls in flight, so that `close()` can let them finish, then abort the ones that
 * outlive the grace period. Each call gets an AbortSignal that also fires when its client
 * goes away.
 */
import type { ServerResponse } from "node:http";

export class CallTracker {
  readonly #calls = new Set<AbortController>();
  readonly #idleWaiters: (() => void)[] = [];

  /** Runs `work` with a signal aborted on client disconnect or by `abortAll()`. */
  async track<T>(res: ServerResponse, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) controller.abort();
    };
    res.once("close", onClose);
    this.#calls.add(controller);
    try {
      return await work(controller.signal);
    } finally {
      res.off("close", onClose);
      this.#calls.delete(controller);
      if (this.#calls.size === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
    }
  }

  get size(): number {
    return this.#calls.size;
  }

  /** Resolves when no call is in flight. */
  idle(): Promise<void> {
    if (this.#calls.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  abortAll(): void {
    for (const controller of this.#calls) controller.abort();
  }
}
