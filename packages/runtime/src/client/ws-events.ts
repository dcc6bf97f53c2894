/** The events of a WebSocket connection, and a tiny typed emitter for them. */

export interface WebSocketEvents {
  /**
   * A new socket is open. The first one opens before `connectWebSocket` resolves, so in
   * practice this announces reconnections (it comes right before `reconnected`).
   */
  open: () => void;
  /** A socket closed; `reconnecting` says whether the connection will try again. */
  close: (info: { code: number; reason: string; reconnecting: boolean }) => void;
  /** A reconnect attempt (1-based) is scheduled in `delayMs`. */
  reconnecting: (info: { attempt: number; delayMs: number }) => void;
  /**
   * A new socket is open and the server knows none of the old callbacks: re-subscribe here
   * (or mark the method `@resubscribe`). Not emitted when a session resumed.
   */
  reconnected: () => void;
  /** A new socket resumed the session: nothing was lost, nothing needs doing. */
  resumed: () => void;
  /**
   * The session could not be resumed (`reason`: "expired", "unknown", "principal",
   * "node-lost", ...): callbacks were released and pending calls rejected with -32007 with
   * that reason; `reconnected` follows, then `@resubscribe` methods are called again.
   */
  sessionLost: (reason: string) => void;
  /** A callback object was let go: by the server (its reason) or by disconnection. */
  released: (callback: object, reason: string) => void;
}

export type WebSocketEventName = keyof WebSocketEvents;

export class Emitter {
  readonly #listeners = new Map<WebSocketEventName, Set<(...args: any[]) => void>>();

  on<E extends WebSocketEventName>(event: E, listener: WebSocketEvents[E]): () => void {
    let set = this.#listeners.get(event);
    if (set === undefined) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => void set.delete(listener);
  }

  emit<E extends WebSocketEventName>(event: E, ...args: Parameters<WebSocketEvents[E]>): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) {
      try {
        listener(...args);
      } catch (error) {
        // A throwing listener must not break the connection's bookkeeping; surface it later.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
