/**
 * Callbacks that a call introduced (the first call of the connection to name their id) stay
 * provisional while it runs: if that call fails, nobody asked for them to outlive it, so
 * they are released with reason `"failed"` (the client hears `$/released` and forgets them)
 * instead of filling the connection's table until it closes. A callback that another call
 * names meanwhile is adopted by it and stays.
 */
import type { CallbackState } from "./callback-proxy.js";

export const failedReason = "failed";

export class ProvisionalCallbacks<Call> {
  /** Each provisional callback → the running call that introduced it. */
  readonly #introducedBy = new Map<CallbackState, Call>();

  /** `call` made `state` (its id was new on the connection). */
  introduced(state: CallbackState, call: Call): void {
    this.#introducedBy.set(state, call);
  }

  /** `call` named an existing callback: one introduced by another call is no longer provisional. */
  named(state: CallbackState, call: Call): void {
    const by = this.#introducedBy.get(state);
    if (by !== undefined && by !== call) this.#introducedBy.delete(state);
  }

  /** `call` ended; releases what it introduced if it failed. Before its answer is sent. */
  settle(call: Call, introduced: readonly CallbackState[], failed: boolean): void {
    for (const state of introduced) {
      if (this.#introducedBy.get(state) !== call) continue;
      this.#introducedBy.delete(state);
      if (failed) state.release(failedReason, true);
    }
  }

  get size(): number {
    return this.#introducedBy.size;
  }
}
