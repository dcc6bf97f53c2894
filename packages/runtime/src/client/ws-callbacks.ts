/**
 * Runs `$/callback` messages against the registered callback objects: decode the named
 * arguments with the callback method's descriptor, call `object[method](...args)`, and
 * (for requests, not `oneway` notifications) build the answer.
 */
import { decodeParams, encodeResult } from "../codec/params.js";
import type { WireFlavor } from "../codec/flavor.js";
import type { JsonValue } from "../codec/schema.js";
import { ErrorCode } from "../protocol/codes.js";
import { RpcError, toWireError } from "../protocol/errors.js";
import {
  errorResponse,
  resultResponse,
  type JsonRpcId,
  type JsonRpcResponse,
  type WireError,
} from "../protocol/jsonrpc.js";
import {
  callState,
  stateOf,
  type CallNext,
  type CallWithState,
  type InterceptedCall,
} from "../interceptors/interceptor.js";
import type { MethodDescriptor } from "../descriptors.js";
import { readMeta } from "../protocol/meta.js";
import type { CallbackRegistry, RegisteredCallback } from "./callback-registry.js";

/** What an exception of the user's callback becomes on the wire. */
function callbackErrorToWire(error: unknown, flavor: WireFlavor): WireError {
  if (error instanceof RpcError) return toWireError(error, flavor);
  const message = error instanceof Error ? error.message : String(error);
  return { code: ErrorCode.InternalError, message: message || "Internal error" };
}

function ignore(): void {}

/**
 * Handles one `$/callback`; `id` is undefined for a notification. Resolves with the answer
 * to send; a notification gets none, and no promise either (a push is the hot path of a
 * subscriber). The callback itself starts synchronously, so callbacks run in the order their
 * messages arrived.
 */
export function runCallback(
  registry: CallbackRegistry,
  params: unknown,
  id: JsonRpcId | undefined,
  chain?: CallNext,
  message?: unknown,
  /** How the values were written: the connection's encoding. */
  flavor: WireFlavor = "json",
): Promise<JsonRpcResponse | undefined> | undefined {
  if (chain !== undefined) return runThroughChain(registry, params, id, chain, message, flavor);
  if (id === undefined) {
    runNotification(registry, params, flavor);
    return undefined;
  }
  return runRequest(registry, params, id, flavor);
}

/** The end of the client's callback chain: the callback object's method itself. */
export function runInterceptedCallback(call: InterceptedCall): Promise<unknown> {
  const entry = stateOf<RegisteredCallback>(call);
  const fn = (entry.object as Record<string, unknown>)[call.method.name] as (
    ...args: unknown[]
  ) => unknown;
  try {
    return Promise.resolve(fn.apply(entry.object, call.args as unknown[]));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** A `$/callback` with interceptors: the same answers as without, the chain around the call. */
function runThroughChain(
  registry: CallbackRegistry,
  params: unknown,
  id: JsonRpcId | undefined,
  chain: CallNext,
  message: unknown,
  flavor: WireFlavor,
): Promise<JsonRpcResponse | undefined> | undefined {
  const fail = (code: number, text: string) =>
    Promise.resolve(id === undefined ? undefined : errorResponse(id, { code, message: text }));
  const { callback, method: name, args } = (params ?? {}) as Record<string, unknown>;
  const entry = typeof callback === "string" ? registry.get(callback) : undefined;
  if (entry === undefined) {
    return fail(ErrorCode.CallbackReleased, `unknown or released callback ${String(callback)}`);
  }
  const method = typeof name === "string" ? entry.descriptor.methods.get(name) : undefined;
  const fn = method && (entry.object as Record<string, unknown>)[method.name];
  if (method === undefined || typeof fn !== "function") {
    return fail(ErrorCode.MethodNotFound, `${entry.descriptor.name} has no method ${String(name)}`);
  }
  let outcome: Promise<unknown>;
  try {
    const decoded = decodeParams(method, args, undefined, flavor);
    outcome = chain(interceptedCallback(entry, method, decoded, id, message));
  } catch (error) {
    outcome = Promise.reject(error);
  }
  if (id === undefined) {
    // Nobody hears about a oneway callback's outcome; a failure must not go unobserved.
    outcome.then(undefined, ignore);
    return undefined;
  }
  return outcome.then(
    (value) => {
      try {
        return resultResponse(id, resultIn(method, value, flavor));
      } catch (error) {
        return errorResponse(id, callbackErrorToWire(error, flavor));
      }
    },
    (error: unknown) => errorResponse(id, callbackErrorToWire(error, flavor)),
  );
}

function interceptedCallback(
  entry: RegisteredCallback,
  method: MethodDescriptor,
  args: unknown[],
  id: JsonRpcId | undefined,
  message: unknown,
): CallWithState<RegisteredCallback> {
  return {
    kind: "callback",
    side: "client",
    transport: "ws",
    endpoint: "ws",
    service: entry.descriptor.name,
    method,
    args,
    principal: undefined,
    metadata: readMeta(message),
    ...(id !== undefined && { requestId: id }),
    signal: undefined,
    [callState]: entry,
  };
}

/** A oneway callback: nobody hears about its outcome, failures included. */
function runNotification(registry: CallbackRegistry, params: unknown, flavor: WireFlavor): void {
  const { callback, method: name, args } = (params ?? {}) as Record<string, unknown>;
  const entry = typeof callback === "string" ? registry.get(callback) : undefined;
  if (entry === undefined) return;
  const method = typeof name === "string" ? entry.descriptor.methods.get(name) : undefined;
  const fn = method && (entry.object as Record<string, unknown>)[method.name];
  if (method === undefined || typeof fn !== "function") return;
  let result: unknown;
  try {
    result = fn.apply(entry.object, decodeParams(method, args, undefined, flavor));
  } catch {
    return;
  }
  // An async callback that fails must not become an unhandled rejection.
  if (typeof (result as { then?: unknown } | null)?.then === "function") {
    (result as PromiseLike<unknown>).then(undefined, ignore);
  }
}

function runRequest(
  registry: CallbackRegistry,
  params: unknown,
  id: JsonRpcId | undefined,
  flavor: WireFlavor,
): Promise<JsonRpcResponse | undefined> {
  const answer = (outcome: () => JsonRpcResponse) =>
    Promise.resolve(id === undefined ? undefined : outcome());
  const fail = (code: number, message: string) =>
    answer(() => errorResponse(id!, { code, message }));

  const { callback, method: name, args } = (params ?? {}) as Record<string, unknown>;
  const entry = typeof callback === "string" ? registry.get(callback) : undefined;
  if (entry === undefined) {
    return fail(ErrorCode.CallbackReleased, `unknown or released callback ${String(callback)}`);
  }
  const method = typeof name === "string" ? entry.descriptor.methods.get(name) : undefined;
  const fn = method && (entry.object as Record<string, unknown>)[method.name];
  if (method === undefined || typeof fn !== "function") {
    return fail(ErrorCode.MethodNotFound, `${entry.descriptor.name} has no method ${String(name)}`);
  }
  let result: unknown;
  try {
    result = fn.apply(entry.object, decodeParams(method, args, undefined, flavor));
  } catch (error) {
    return answer(() => errorResponse(id!, callbackErrorToWire(error, flavor)));
  }
  return Promise.resolve(result).then(
    (value) => {
      if (id === undefined) return undefined;
      try {
        return resultResponse(id, resultIn(method, value, flavor));
      } catch (error) {
        return errorResponse(id, callbackErrorToWire(error, flavor));
      }
    },
    (error: unknown) =>
      id === undefined ? undefined : errorResponse(id, callbackErrorToWire(error, flavor)),
  );
}

/** A callback's result in the connection's flavor (MessagePack values go to its encoder only). */
function resultIn(
  method: MethodDescriptor,
  value: unknown,
  flavor: WireFlavor,
): JsonValue | undefined {
  return encodeResult(method, value, flavor) as JsonValue | undefined;
}
