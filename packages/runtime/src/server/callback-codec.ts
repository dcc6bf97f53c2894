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

/** A client's error answer → an RpcError (a declared error of `method` when it names one). */
export function errorFromWire(method: MethodDescriptor, wire: WireError): RpcError {
  return fromWireError(wire, method);
}
