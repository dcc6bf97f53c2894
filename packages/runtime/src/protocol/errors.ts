import type { JsonValue } from "../codec/schema.js";
import type { WireFlavor } from "../codec/flavor.js";
import { decodeValue, encodeValue } from "../codec/params.js";
import type { ErrorDescriptor, MethodDescriptor } from "../descriptors.js";
import { ErrorCode } from "./codes.js";

/**
 * The one error class of svcgen: every failure of a call, on either side, is an RpcError
 * with a JSON-RPC `code` (see ErrorCode). Declared IDL errors are generated subclasses
 * carrying their `descriptor` and fields; they travel with code -32000.
 */
export class RpcError extends Error {
  readonly code: number;
  /** Extra detail that travels on the wire (`error.data`). */
  readonly data?: JsonValue;
  /** Set on declared errors: the generated error's descriptor. */
  readonly descriptor?: ErrorDescriptor;
  /** Set on declared errors: the fields as given to the constructor (see errorFields). */
  readonly fields?: object;

  constructor(code: number, message: string, data?: JsonValue);
  constructor(descriptor: ErrorDescriptor<any, any>, fields: object, message?: string);
  constructor(
    codeOrDescriptor: number | ErrorDescriptor<any, any>,
    messageOrFields: string | object,
    dataOrMessage?: JsonValue | string,
  ) {
    if (typeof codeOrDescriptor === "number") {
      super(messageOrFields as string);
      this.code = codeOrDescriptor;
      if (dataOrMessage !== undefined) this.data = dataOrMessage as JsonValue;
    } else {
      super((dataOrMessage as string | undefined) ?? codeOrDescriptor.name);
      this.code = ErrorCode.DeclaredError;
      this.descriptor = codeOrDescriptor;
      this.fields = messageOrFields as object;
    }
    this.name = new.target.name;
  }
}

/** The `error` member of a JSON-RPC response. */
export interface WireErrorObject {
  code: number;
  message: string;
  data?: JsonValue;
}

/**
 * The encoded fields of a declared error (the REST problem's `data`), or undefined for any
 * other error. Throws EncodeError when the fields do not fit the error's declaration.
 */
export function errorFields(error: RpcError, flavor: WireFlavor = "json"): JsonValue | undefined {
  if (error.descriptor === undefined) return undefined;
  // Under MessagePack the fields are MessagePack-flavored (bigint, bytes, Date).
  return encodeValue(error.descriptor.fields, error.fields ?? {}, flavor) as JsonValue;
}

/**
 * The JSON-RPC form of an error. A declared error travels as code -32000 with data
 * `{ error: <wire name>, data: <encoded fields> }`; should its fields not encode (a bug in
 * the implementation), it degrades to a plain internal error rather than failing the answer.
 */
export function toWireError(error: RpcError, flavor: WireFlavor = "json"): WireErrorObject {
  if (error.descriptor !== undefined) {
    let fields: JsonValue | undefined;
    try {
      fields = errorFields(error, flavor);
    } catch {
      return { code: ErrorCode.InternalError, message: "Internal error" };
    }
    return {
      code: ErrorCode.DeclaredError,
      message: error.message,
      data: { error: error.descriptor.name, data: fields ?? {} },
    };
  }
  return error.data === undefined
    ? { code: error.code, message: error.message }
    : { code: error.code, message: error.message, data: error.data };
}

/**
 * The RpcError of a JSON-RPC `error` member. A declared error that `method` may throw is
 * rebuilt as its generated class (`descriptor.create`), so `instanceof` works on the client;
 * any other well-formed error becomes a plain RpcError with its code, message and data;
 * something that is not an error object at all becomes an internal error (-32603).
 */
export function fromWireError(
  wire: unknown,
  method?: MethodDescriptor,
  flavor: WireFlavor = "json",
): RpcError {
  if (
    typeof wire !== "object" ||
    wire === null ||
    Array.isArray(wire) ||
    !Number.isInteger((wire as { code?: unknown }).code) ||
    typeof (wire as { message?: unknown }).message !== "string"
  ) {
    return new RpcError(ErrorCode.InternalError, "Malformed error response");
  }
  const { code, message } = wire as { code: number; message: string };
  const data = Object.hasOwn(wire, "data") ? (wire as { data: JsonValue }).data : undefined;
  if (code === ErrorCode.DeclaredError && method !== undefined) {
    const declared = declaredErrorOf(data, method, flavor);
    if (declared !== undefined) return declared(message);
  }
  return new RpcError(code, message, data);
}

/** A builder of the generated error `data` names, if `method` declares it and its fields decode. */
function declaredErrorOf(
  data: JsonValue | undefined,
  method: MethodDescriptor,
  flavor: WireFlavor,
): ((message: string) => RpcError) | undefined {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return undefined;
  const name = Object.hasOwn(data, "error") ? data["error"] : undefined;
  const descriptor = method.throws.find((candidate) => candidate.name === name);
  if (descriptor === undefined) return undefined;
  let fields: unknown;
  try {
    const wireFields = Object.hasOwn(data, "data") ? data["data"] : {};
    fields = decodeValue(descriptor.fields, wireFields, flavor, "/data");
  } catch {
    return undefined; // undecodable fields: surface the raw error rather than hide it
  }
  return (message) => {
    const error = descriptor.create(fields, message);
    return error instanceof RpcError ? error : new RpcError(descriptor, fields as object, message);
  };
}
