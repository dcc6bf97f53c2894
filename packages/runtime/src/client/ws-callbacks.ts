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
import type { CallbackRegistry } from "./callback-registry.js";

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
  flavor: WireFlavor = "json",
): Promise<JsonRpcResponse | undefined> | undefined {
  if (id === undefined) {
    runNotification(registry, params, flavor);
    return undefined;
  }
  return runRequest(registry, params, id, flavor);
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
        // MessagePack-flavored values go to that encoding's encoder only.
        return resultResponse(id, encodeResult(method, value, flavor) as JsonValue | undefined);
      } catch (error) {
        return errorResponse(id, callbackErrorToWire(error, flavor));
      }
    },
    (error: unknown) =>
      id === undefined ? undefined : errorResponse(id, callbackErrorToWire(error, flavor)),
  );
}
