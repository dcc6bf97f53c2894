/** Encoding of `$/callback` arguments, and reading of the client's answers. */
import { decodeResult, encodeParams } from "../codec/params.js";
import type { JsonValue } from "../codec/schema.js";
import type { MethodDescriptor } from "../descriptors.js";
import { ErrorCode } from "../protocol/codes.js";
import { RpcError, fromWireError, toWireError } from "../protocol/errors.js";
import type { WireError } from "../protocol/jsonrpc.js";

/** Positional arguments → the named `args` object of a `$/callback` message. */
export function encodeCallbackArgs(method: MethodDescriptor, args: readonly unknown[]): JsonValue {
  return encodeParams(method, args);
}

/** The client's `result` → the TypeScript value (void methods give `undefined`). */
export function decodeCallbackResult(method: MethodDescriptor, result: JsonValue): unknown {
  try {
    return decodeResult(method, result);
  } catch (error) {
    // The client broke the contract; the implementation sees an RpcError like any failure.
    throw new RpcError(
      ErrorCode.InternalError,
      `callback ${method.name} answered with an invalid result: ${(error as Error).message}`,
    );
  }
}

/** An RpcError → the `error` member of a response (declared errors with their fields). */
export function errorToWire(error: RpcError): WireError {
  return toWireError(error);
}

/** Errors made from a client's answer: data for the implementation, never its answer. */
const fromClient = new WeakSet<RpcError>();

/**
 * A client's error answer → an RpcError (a declared error of `method` when it names one),
 * marked as the client's: if the implementation lets it escape, the dispatcher answers its
 * own caller as for any undeclared exception, so a client cannot speak for the server.
 */
export function errorFromWire(method: MethodDescriptor, wire: WireError): RpcError {
  return asClientError(fromWireError(wire, method));
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
