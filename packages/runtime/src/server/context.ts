/** What an implementation sees of the call it is serving. */
export interface CallContext {
  /** What `authenticate` returned; `undefined` when the server has no `authenticate`. */
  readonly principal: unknown;
  readonly transport: "http" | "ws";
  /** The WebSocket connection the call came on; absent over HTTP. */
  readonly connection?: ConnectionInfo;
  /** Aborted when the client cancels, goes away, or the server closes. */
  readonly signal: AbortSignal;
}

export interface ConnectionInfo {
  /** Unique per server process. */
  readonly id: string;
  readonly remoteAddress: string;
}

declare const callbackType: unique symbol;

/**
 * Where a client's callback lives, as plain JSON-safe data: store it or send it anywhere,
 * and `server.callback(ref)` on any node of the cluster gives a proxy to the same callback.
 */
export interface CallbackRef<C = unknown> {
  /** The node holding the client's socket. */
  readonly node: string;
  /** The connection's id on that node. */
  readonly connection: string;
  /** The id the client chose for the callback. */
  readonly callback: string;
  /** The callback's IDL name, e.g. `jobs.JobEvents`. */
  readonly type: string;
  /** Never present: carries `C` so that `server.callback(ref)` is typed. */
  readonly [callbackType]?: C;
}

/** The handle every callback proxy has besides the callback's own methods. */
export interface CallbackHandle<C = unknown> {
  /** The id the client chose for the callback (unique within its connection). */
  readonly id: string;
  /** This callback's address for `server.callback(ref)`, here or on another node. */
  readonly ref: CallbackRef<C>;
  /** True once released by either side or by disconnection. */
  readonly released: boolean;
  /**
   * Runs `listener` exactly once when the callback is released, with the reason
   * (`"released"` by the client, `"disconnected"`, or what `release(reason)` said).
   * Registered after release, it runs at once (asynchronously).
   */
  onRelease(listener: (reason: string) => void): void;
  /** Lets the callback go: the client is sent `$/released`; later calls reject with -32001. */
  release(reason?: string): void;
}

/**
 * The server's typed view of a client's callback object: each method returns a promise.
 * A method without a result resolves with a boolean: a `oneway` one never rejects and says
 * whether the message was queued on the socket (`false`: dropped, the callback is released
 * or its connection gone); an awaited one resolves `true` once the client answered. A
 * method with a result resolves with the client's answer.
 */
export type CallbackProxy<C> = {
  readonly [K in keyof C]: C[K] extends (...args: infer A) => infer R
    ? (...args: A) => Promise<[Awaited<R>] extends [void] ? boolean : Awaited<R>>
    : never;
} & CallbackHandle<C>;
