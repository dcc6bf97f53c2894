/** Encoding of `$/callback` arguments, and reading of the client's answers. */
import { decodeParams, decodeResult, encodeParams, encodeResult } from "../codec/params.js";
import type { WireFlavor } from "../codec/flavor.js";
import type { JsonValue } from "../codec/schema.js";
import type { MethodDescriptor } from "../descriptors.js";
import { ErrorCode } from "../protocol/codes.js";
import { RpcError, fromWireError, toWireError } from "../protocol/errors.js";
import type { WireError } from "../protocol/jsonrpc.js";

/**
 * Positional arguments → the named `args` object of a `$/callback` message, in the flavor
 * of the connection's encoding (MessagePack-flavored values are typed JsonValue here too:
 * they only ever go to that encoding's encoder).
 */
export function encodeCallbackArgs(
  method: MethodDescriptor,
  args: readonly unknown[],
  flavor: WireFlavor = "json",
): JsonValue {
  return encodeParams(method, args, undefined, flavor) as JsonValue;
}

/** The client's `result` → the TypeScript value (void methods give `undefined`). */
export function decodeCallbackResult(
  method: MethodDescriptor,
  result: JsonValue,
  flavor: WireFlavor = "json",
): unknown {
  try {
    return decodeResult(method, result, flavor);
  } catch (error) {
    // The client broke the contract; the implementation sees an RpcError like any failure.
    throw new RpcError(
      ErrorCode.InternalError,
      `callback ${method.name} answered with an invalid result: ${(error as Error).message}`,
    );
  }
}

/**
 * Encoded arguments of one flavor in another: calls from other nodes of a cluster carry
 * JSON-flavored arguments, a client on `svc.msgpack` takes MessagePack-flavored ones.
 */
export function reflavorArgs(
  method: MethodDescriptor,
  args: JsonValue,
  from: WireFlavor,
  to: WireFlavor,
): JsonValue {
  if (from === to) return args;
  return encodeCallbackArgs(method, decodeParams(method, args, undefined, from), to);
}

/** A client's raw `result` of one flavor in another (the answer to another node's call). */
export function reflavorResult(
  method: MethodDescriptor,
  result: JsonValue,
  from: WireFlavor,
  to: WireFlavor,
): JsonValue {
  if (from === to) return result;
  const value = decodeCallbackResult(method, result, from);
  return (encodeResult(method, value, to) ?? null) as JsonValue;
}

/** An RpcError → the `error` member of a response (declared errors with their fields). */
export function errorToWire(error: RpcError, flavor: WireFlavor = "json"): WireError {
  return toWireError(error, flavor);
}

/** Errors made from a client's answer: data for the implementation, never its answer. */
const fromClient = new WeakSet<RpcError>();

/**
 * A client's error answer → an RpcError (a declared error of `method` when it names one),
 * marked as the client's: if the implementation lets it escape, the dispatcher answers its
 * own caller as for any undeclared exception, so a client cannot speak for the server.
 */
export function errorFromWire(
  method: MethodDescriptor,
  wire: WireError,
  flavor: WireFlavor = "json",
): RpcError {
  return asClientError(fromWireError(wire, method, flavor));
}

/** Marks an error as the client's (its answer, or the refusal of its answer); returns it. */
export function asClientError(error: RpcError): RpcError {
  fromClient.add(error);
  return error;
}

/** Whether `error` is a client's answer to a callback (see errorFromWire). */
export function isClientError(error: unknown): boolean {
  return error instanceof RpcError && fromClient.has(error);
}
