/**
 * Interceptors: one shape for every call and callback, on both sides and every transport.
 * An interceptor wraps the step after it (`next`) and sees the call on its way in and its
 * outcome on its way out, so it can time it, refuse it (throw an RpcError), change what the
 * call carries (arguments, principal, metadata) or map the error it ended with.
 *
 *     const timing: Interceptor = (next) => async (call) => {
 *       const started = performance.now();
 *       try { return await next(call); }
 *       finally { log(call.method.wireName, performance.now() - started); }
 *     };
 *
 * Browser-safe: no Node import.
 */
import type { MethodDescriptor } from "../descriptors.js";
import type { ConnectionInfo } from "../server/context.js";

/**
 * One call or callback as interceptors see it.
 *
 * - `kind: "call"`: a service method (client → server). `kind: "callback"`: a method of a
 *   client's callback object (server → client).
 * - `side`: where this interceptor runs. On the server a `"call"` is incoming and a
 *   `"callback"` outgoing; on the client the other way round.
 */
export interface InterceptedCall {
  readonly kind: "call" | "callback";
  readonly side: "server" | "client";
  /** `"http"` for REST and `/rpc`, `"ws"` for the WebSocket endpoint. */
  readonly transport: "http" | "ws";
  /** Which route: REST (`{base}/{Service}/{method}`), `{base}/rpc`, or `{base}/ws`. */
  readonly endpoint: "rest" | "rpc" | "ws";
  /** The wire name of the service or callback type, e.g. `jobs.JobService`. */
  readonly service: string;
  /** The method's descriptor: `name`, `wireName`, `oneway`, `idempotent`, `rateLimit`, ... */
  readonly method: MethodDescriptor;
  /**
   * The arguments in IDL order, as values (decoded on the receiving side, not yet encoded
   * on the sending side); `undefined` for an omitted optional one. Replace the array to
   * change what the method receives or what is sent.
   */
  args: readonly unknown[];
  /**
   * The caller's principal (`authenticate`'s answer) on the server; `undefined` on the
   * client. A server interceptor may replace it: the implementation sees the new one.
   */
  principal: unknown;
  /**
   * String metadata travelling with the call, by lower-case name. On the receiving side:
   * the HTTP request's headers, or the `meta` member of the WebSocket message. On the
   * sending side: starts empty (HTTP: the connection's headers are added afterwards);
   * what an interceptor puts here is sent as HTTP headers or as the message's `meta`.
   */
  readonly metadata: Record<string, string>;
  /**
   * The JSON-RPC request id when there is one (`/rpc` and WebSocket requests, awaited
   * callbacks); undefined for REST calls and notifications (`oneway`). On the sending side
   * it is known only after the call left, so it is undefined while interceptors run.
   */
  readonly requestId?: string | number | null;
  /** The WebSocket connection (server side only): its id and remote address. */
  readonly connection?: ConnectionInfo;
  /** The peer's address (server side only), over HTTP and WebSocket alike. */
  readonly remoteAddress?: string;
  /** Aborted when the call is cancelled; undefined where nothing can cancel it. */
  readonly signal: AbortSignal | undefined;
}

/**
 * Runs the rest of the chain and, at its end, the call itself. Resolves with the method's
 * result as a value (`undefined` for a void method); rejects with the error it failed with.
 */
export type CallNext = (call: InterceptedCall) => Promise<unknown>;

/**
 * Wraps `next`; made once per server or connection, not per call. Pass `next` the call it
 * was given; change it in place (`call.args = [...]`, `call.metadata[name] = value`).
 */
export type Interceptor = (next: CallNext) => CallNext;

/**
 * `interceptors` around `last`, the first of the list outermost (it sees the call first
 * and its outcome last). Undefined when the list is empty: callers keep their direct path.
 */
export function composeInterceptors(
  interceptors: readonly Interceptor[] | undefined,
  last: CallNext,
): CallNext | undefined {
  if (interceptors === undefined || interceptors.length === 0) return undefined;
  let next = guard(last);
  for (let i = interceptors.length - 1; i >= 0; i--) next = guard(interceptors[i]!(next));
  return next;
}

/** A step that throws synchronously rejects instead, so every caller sees one promise. */
function guard(step: CallNext): CallNext {
  return (call) => {
    try {
      return Promise.resolve(step(call));
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

/**
 * Where a transport keeps what the end of the chain needs (its own per-call state) on the
 * call object: a symbol-keyed own property (a copy made with `{ ...call }` keeps it, though
 * not the accessors `signal` and `metadata` of a server call).
 */
export const callState: unique symbol = Symbol("svcgen.callState");

/** An InterceptedCall as a transport builds it. @internal */
export type CallWithState<S> = InterceptedCall & { readonly [callState]: S };

/** The transport's state of a call that went through the chain. @internal */
export function stateOf<S>(call: InterceptedCall): S {
  return (call as CallWithState<S>)[callState];
}
