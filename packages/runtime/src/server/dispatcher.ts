/**
 * The one transport-independent dispatcher: decode parameters, run the interceptors (the
 * user's, then the runtime's own, like `authorize`), pick the implementation instance,
 * call it, encode the result, and turn every failure into a wire-ready RpcError. REST,
 * `/rpc` and the WebSocket endpoint are thin adapters over it.
 */
import { randomUUID } from "node:crypto";
import type { WireFlavor } from "../codec/flavor.js";
import type { JsonValue } from "../codec/schema.js";
import { decodeParams, encodeResult } from "../codec/params.js";
import type { CallbackDescriptor, MethodDescriptor } from "../descriptors.js";
import {
  callState,
  composeInterceptors,
  stateOf,
  type CallNext,
  type InterceptedCall,
} from "../interceptors/interceptor.js";
import { ErrorCode } from "../protocol/codes.js";
import { RpcError, errorFields } from "../protocol/errors.js";
import { isClientError } from "./callback-codec.js";
import type { CallContext, ConnectionInfo } from "./context.js";
import { InvocationContext } from "./invocation-context.js";
import { CallMetrics } from "./metrics/call-metrics.js";
import type { MethodCounter } from "./metrics/method-counter.js";
import type { ResolvedServerOptions } from "./options.js";
import { InstanceScope, type Registration, type ServiceRegistry } from "./registry.js";

export { InstanceScope };

export interface Invocation {
  /** From `lookup()` / `lookupRest()`. */
  readonly method: MethodDescriptor;
  /** JSON params as received: a named object, a positional array, or undefined. */
  readonly params: unknown;
  readonly transport: "http" | "ws";
  /** Which route the call came on. Default: `"ws"` over WebSocket, `"rest"` over HTTP. */
  readonly endpoint?: "rest" | "rpc" | "ws";
  /** The JSON-RPC request id, when the call has one. */
  readonly requestId?: string | number | null;
  /** What travels with the call (request headers, the message's `meta`); asked only by interceptors. */
  metadata?(): Record<string, string>;
  /** The peer's address, when the transport knows it. */
  readonly remoteAddress?: string;
  /**
   * How `params` were written and the result is to be (the connection's encoding).
   * Default "json"; "msgpack" on a `svc.msgpack` WebSocket.
   */
  readonly flavor?: WireFlavor;
  readonly principal: unknown;
  readonly connection?: ConnectionInfo;
  /** Holds `perConnection` instances. */
  readonly scope: InstanceScope;
  readonly signal: AbortSignal;
  /**
   * Whether the call is aborted already, for a transport that makes `signal` only when it is
   * read (reading `signal` to ask would make it). Default: `signal.aborted`.
   */
  readonly aborted?: boolean;
  /** WebSocket only: callback id → the connection's proxy. Absent over HTTP. */
  readonly resolveCallback?: (id: string, callback: CallbackDescriptor, pointer: string) => unknown;
}

/** Codes an implementation may throw on purpose; they reach the client as thrown. */
const passThroughCodes: ReadonlySet<number> = new Set([
  ErrorCode.InvalidParams,
  ErrorCode.CallbackReleased,
  ErrorCode.Cancelled,
  ErrorCode.TimedOut,
  ErrorCode.Unauthenticated,
  ErrorCode.Forbidden,
  ErrorCode.LimitExceeded,
  ErrorCode.ConnectionClosed,
]);

/** What the end of the server's chain needs to run a call. */
interface ServerCallState {
  readonly inv: Invocation;
  readonly registration: Registration;
}

export class Dispatcher {
  readonly #registry: ServiceRegistry;
  readonly #options: ResolvedServerOptions;
  /** The interceptors around calls; undefined when there are none (the direct path). */
  readonly #calls: CallNext | undefined;
  /** The same with the rate limiter, for methods with an IDL `@rateLimit`. */
  readonly #limitedCalls: CallNext | undefined;
  /**
   * The interceptors around callbacks this server makes; undefined when there are none.
   * Read by the WebSocket sessions for their callback proxies.
   */
  readonly callbacks: CallNext | undefined;
  /** Per-method figures of every call that reaches `invoke` (see server.stats()). */
  readonly metrics: CallMetrics;

  constructor(
    registry: ServiceRegistry,
    options: ResolvedServerOptions,
    metrics: CallMetrics = new CallMetrics(),
  ) {
    this.#registry = registry;
    this.#options = options;
    this.metrics = metrics;
    const implement = (call: InterceptedCall) => this.#implement(call);
    const { interceptors, rateLimiter, authorizer } = options;
    const inner = authorizer === undefined ? [] : [authorizer];
    const limited = [...interceptors, rateLimiter.interceptor, ...inner];
    this.#limitedCalls = composeInterceptors(limited, implement);
    // Unless the options set limits, only methods with `@rateLimit` meet the rate limiter.
    this.#calls = rateLimiter.configured
      ? this.#limitedCalls
      : composeInterceptors([...interceptors, ...inner], implement);
    this.callbacks = composeInterceptors(interceptors, sendCallback);
  }

  /** A method by its JSON-RPC name, e.g. `jobs.JobService.start`. */
  lookup(wireName: string): MethodDescriptor | undefined {
    const dot = wireName.lastIndexOf(".");
    if (dot <= 0) return undefined;
    return this.lookupRest(wireName.slice(0, dot), wireName.slice(dot + 1));
  }

  /** A method by its REST path segments: `calculator.Calculator`, `add`. */
  lookupRest(service: string, method: string): MethodDescriptor | undefined {
    const registration = this.#registry.get(service);
    if (registration === undefined) return undefined;
    const methods = registration.descriptor.methods;
    // A Map lookup never reaches inherited keys, so `__proto__` or `constructor` are plain misses.
    return methods.get(method);
  }

  /** A method by its REST path as sent, when written without escapes (see ServiceRegistry). */
  restRoute(path: string): MethodDescriptor | undefined {
    return this.#registry.restRoute(path);
  }

  /** `$/contract` answer: wire name → contract hash of every registered service. */
  contract(): Record<string, string> {
    const hashes: Record<string, string> = {};
    for (const { descriptor } of this.#registry.registrations()) {
      hashes[descriptor.name] = descriptor.contractHash;
    }
    return hashes;
  }

  /**
   * The encoded result (undefined for void). Rejects only with RpcError, wire-ready:
   * declared errors of the method as thrown; undeclared exceptions → -32603 with an
   * `incident` id that is logged with the exception; an aborted signal → -32002.
   */
  invoke(inv: Invocation): Promise<JsonValue | undefined> {
    try {
      return Promise.resolve(this.invokeDirect(inv));
    } catch (error) {
      return Promise.reject(error as RpcError);
    }
  }

  /**
   * `invoke` without the promise when nothing on the way is asynchronous: a synchronous
   * implementation's encoded result is returned as is, and its failure thrown (wire-ready,
   * as `invoke` rejects). For transports that can answer in the same turn.
   */
  invokeDirect(inv: Invocation): JsonValue | undefined | Promise<JsonValue | undefined> {
    // Counted here, once for every transport: a field or two per call, nothing allocated.
    const counter = this.metrics.counter(inv.method, "call");
    const startedAt = counter.start();
    let outcome: JsonValue | undefined | Promise<JsonValue | undefined>;
    try {
      if (inv.aborted ?? inv.signal.aborted) throw cancelled();
      outcome = this.#run(inv);
    } catch (error) {
      throw this.#failed(counter, startedAt, error, inv);
    }
    // A synchronous implementation is answered without racing the signal: nothing to wait for.
    if (!(outcome instanceof Promise)) {
      counter.succeeded(startedAt);
      return outcome;
    }
    return whileNotAborted(inv.signal, outcome).then(
      (value) => {
        counter.succeeded(startedAt);
        return value;
      },
      (error: unknown) => {
        throw this.#failed(counter, startedAt, error, inv);
      },
    );
  }

  /** The wire-ready form of a call's failure, counted. */
  #failed(counter: MethodCounter, startedAt: number, error: unknown, inv: Invocation): RpcError {
    const wire = this.#toWireReady(error, inv);
    this.metrics.failed(counter, startedAt, wire);
    return wire;
  }

  /** The encoded result, synchronously when no step (an interceptor, the implementation) is async. */
  #run(inv: Invocation): JsonValue | undefined | Promise<JsonValue | undefined> {
    const { method } = inv;
    const registration = this.#registry.get(method.owner.name);
    if (registration === undefined || registration.descriptor.methods.get(method.name) !== method) {
      throw new RpcError(ErrorCode.MethodNotFound, `Method not found: ${method.wireName}`);
    }
    if (method.takesCallback && inv.resolveCallback === undefined) {
      const name = `${method.owner.name}.${method.name}`;
      throw new RpcError(
        ErrorCode.InvalidParams,
        `${name} takes a callback and needs a WebSocket connection (${this.#options.prefix}/ws)`,
      );
    }
    const args = decodeArguments(inv);
    const chain = method.rateLimit === undefined ? this.#calls : this.#limitedCalls;
    if (chain !== undefined) {
      return chain(new ServerCall(inv, registration, args)).then((value) =>
        resultIn(method, value, inv.flavor),
      );
    }
    return this.#call(inv, registration, args, new InvocationContext(inv));
  }

  /** The end of the chain: the implementation, with what the interceptors left in `call`. */
  #implement(call: InterceptedCall): Promise<unknown> {
    const { inv, registration } = stateOf<ServerCallState>(call);
    const ctx = new InvocationContext(inv, call.principal);
    return Promise.resolve(this.#implementation(inv, registration, call.args, ctx));
  }

  #call(
    inv: Invocation,
    registration: Registration,
    args: readonly unknown[],
    ctx: CallContext,
  ): JsonValue | undefined | Promise<JsonValue | undefined> {
    const { method } = inv;
    const value = this.#implementation(inv, registration, args, ctx);
    const flavor = inv.flavor;
    if (isThenable(value)) return Promise.resolve(value).then((v) => resultIn(method, v, flavor));
    return resultIn(method, value, flavor);
  }

  /** Calls the implementation's method; its value as returned (a promise or not). */
  #implementation(
    inv: Invocation,
    registration: Registration,
    args: readonly unknown[],
    ctx: CallContext,
  ): unknown {
    const { method } = inv;
    const implementation = this.#registry.implementationFor(registration, ctx, inv);
    const fn = (implementation as Record<string, unknown>)[method.name];
    // An unimplemented `toString` or `valueOf` must not fall through to Object.prototype's.
    if (
      typeof fn !== "function" ||
      fn === (Object.prototype as Record<string, unknown>)[method.name]
    ) {
      throw new Error(`${method.wireName} is not implemented by the registered instance`);
    }
    // Optional parameters left out by the client still take their position before ctx.
    const count = method.params.length;
    const positional: unknown[] = new Array(count + 1);
    for (let i = 0; i < count; i++) positional[i] = args[i];
    positional[count] = ctx;
    return (fn as (...args: unknown[]) => unknown).apply(implementation, positional);
  }

  #toWireReady(error: unknown, inv: Invocation): RpcError {
    // A client's callback answer is data for the implementation: escaping, it is undeclared.
    if (error instanceof RpcError && !isClientError(error)) {
      if (error.descriptor !== undefined) {
        const declared = inv.method.throws.some(
          (d) => d === error.descriptor || d.name === error.descriptor?.name,
        );
        if (declared && fieldsEncode(error)) return error;
      } else if (error.code === ErrorCode.MethodNotFound || passThroughCodes.has(error.code)) {
        return error;
      }
    }
    if (inv.aborted ?? inv.signal.aborted) return new RpcError(ErrorCode.Cancelled, "Cancelled");
    const incident = randomUUID();
    this.#options.logger.error(`${inv.method.wireName} failed`, {
      incident,
      method: inv.method.wireName,
      transport: inv.transport,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    return new RpcError(ErrorCode.InternalError, "Internal error", { incident });
  }
}

/**
 * The call as the server's interceptors see it. A class, like InvocationContext: one hidden
 * class for every call. Its metadata is read only when an interceptor asks for it.
 */
class ServerCall implements InterceptedCall {
  readonly kind = "call";
  readonly side = "server";
  readonly transport: "http" | "ws";
  readonly endpoint: "rest" | "rpc" | "ws";
  readonly service: string;
  readonly method: MethodDescriptor;
  args: readonly unknown[];
  principal: unknown;
  readonly requestId: string | number | null | undefined;
  readonly connection: ConnectionInfo | undefined;
  readonly remoteAddress: string | undefined;
  readonly [callState]: ServerCallState;
  #metadata: Record<string, string> | undefined;

  constructor(inv: Invocation, registration: Registration, args: unknown[]) {
    this.transport = inv.transport;
    this.endpoint = inv.endpoint ?? (inv.transport === "ws" ? "ws" : "rest");
    this.service = inv.method.owner.name;
    this.method = inv.method;
    this.args = args;
    this.principal = inv.principal;
    this.requestId = inv.requestId;
    this.connection = inv.connection;
    this.remoteAddress = inv.remoteAddress ?? inv.connection?.remoteAddress;
    this[callState] = { inv, registration };
  }

  get metadata(): Record<string, string> {
    return (this.#metadata ??= this[callState].inv.metadata?.() ?? {});
  }

  /** Read through: a transport may make the signal only when someone looks. */
  get signal(): AbortSignal {
    return this[callState].inv.signal;
  }
}

/** The end of the chain around an outgoing callback: the proxy's own send. */
function sendCallback(call: InterceptedCall): Promise<unknown> {
  return stateOf<CallbackSender>(call).send(call.method, call.args, call.metadata);
}

/** What a callback proxy puts on its calls for the end of the callback chain. */
export interface CallbackSender {
  send(
    method: MethodDescriptor,
    args: readonly unknown[],
    metadata: Record<string, string>,
  ): Promise<unknown>;
}

/** A declared error whose fields do not fit its declaration is a bug of the implementation. */
function fieldsEncode(error: RpcError): boolean {
  try {
    errorFields(error);
    return true;
  } catch {
    return false;
  }
}

/** decodeParams, with JSON nested beyond the stack's depth refused as invalid, not a crash. */
function decodeArguments(inv: Invocation): unknown[] {
  try {
    return decodeParams(inv.method, inv.params, inv.resolveCallback, inv.flavor);
  } catch (error) {
    if (error instanceof RangeError) {
      throw new RpcError(ErrorCode.InvalidParams, "Invalid params: nested too deeply");
    }
    throw error;
  }
}

/**
 * The result in the transport's flavor. MessagePack-flavored values (bigint, bytes, Date)
 * are typed JsonValue here too: they go to that encoding's encoder only.
 */
function resultIn(
  method: MethodDescriptor,
  value: unknown,
  flavor: WireFlavor | undefined,
): JsonValue | undefined {
  if (flavor === undefined || flavor === "json") return encodeResult(method, value);
  return encodeResult(method, value, flavor) as JsonValue | undefined;
}

function cancelled(): RpcError {
  return new RpcError(ErrorCode.Cancelled, "Cancelled");
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

/**
 * Settles with `work`, but with -32002 as soon as `signal` aborts: a cancelled client gets
 * its answer at once even when the implementation ignores the signal (its late result is dropped).
 */
function whileNotAborted<T>(signal: AbortSignal, work: Promise<T>): Promise<T> {
  if (signal.aborted) return Promise.reject(cancelled());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelled());
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
