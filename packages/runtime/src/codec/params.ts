/**
 * Arguments and results of calls, independent of the transport: the dispatcher and both
 * client connections use these. Inside the runtime arguments are positional arrays in IDL
 * order; on the wire they are a named object (a positional array is accepted too).
 */
import type { JsonValue, Schema } from "./schema.js";
import type { CallbackDescriptor, MethodDescriptor } from "../descriptors.js";
import { ErrorCode } from "../protocol/codes.js";
import { RpcError } from "../protocol/errors.js";
import { EncodeError, childPointer } from "./errors.js";
import { expectedOf, flavoredReaderOf, flavoredWriterOf } from "./compiled.js";
import type { Reader, Writer } from "./compiled.js";
import type { WireFlavor, WireValue } from "./flavor.js";
import { toDecodeError, toEncodeError } from "./mismatch.js";
import { getOwn, isJsonObject, setOwn } from "./objects.js";
import { DecodeError } from "./errors.js";

/** One entry of `data.errors` of an invalid-params error (PROTOCOL.md). */
export interface ParamError {
  readonly pointer: string;
  readonly detail: string;
}

/** Resolves a callback id of an incoming call to the proxy the implementation receives. */
export type CallbackResolver = (
  id: string,
  callback: CallbackDescriptor,
  pointer: string,
) => unknown;

/** Picks (or assigns) the callback id under which a client object travels. */
export type CallbackIdentifier = (impl: object, callback: CallbackDescriptor) => string;

/** The callback id syntax of PROTOCOL.md. */
export const CALLBACK_ID = /^[A-Za-z0-9_-]{1,64}$/;

interface CompiledParam {
  readonly name: string;
  readonly optional: boolean;
  readonly nullIsValue: boolean;
  readonly expected: string;
  readonly callback: CallbackDescriptor | undefined;
  readonly read: Reader<unknown> | undefined;
  readonly write: Writer<unknown, WireValue> | undefined;
}

interface CompiledMethod {
  readonly params: readonly CompiledParam[];
  readonly hasCallback: boolean;
  readonly readResult: Reader<unknown> | undefined;
  readonly writeResult: Writer<unknown, WireValue> | undefined;
}

const compiledMethods = new WeakMap<MethodDescriptor, CompiledMethod>();
const compiledMsgpackMethods = new WeakMap<MethodDescriptor, CompiledMethod>();

function compile(method: MethodDescriptor, flavor: WireFlavor = "json"): CompiledMethod {
  const cache = flavor === "json" ? compiledMethods : compiledMsgpackMethods;
  let compiled = cache.get(method);
  if (!compiled) {
    const readerOf = (schema: Schema<unknown>) => flavoredReaderOf(schema, flavor);
    const writerOf = (schema: Schema<unknown>) => flavoredWriterOf(schema, flavor);
    const params = method.params.map((param): CompiledParam => ({
      name: param.name,
      optional: param.optional,
      nullIsValue: param.schema?.kind === "json",
      expected: param.schema ? expectedOf(param.schema) : "callback id",
      callback: param.callback,
      read: param.schema && readerOf(param.schema),
      write: param.schema && writerOf(param.schema),
    }));
    compiled = {
      params,
      hasCallback: params.some((param) => param.callback !== undefined),
      readResult: method.returns && readerOf(method.returns),
      writeResult: method.returns && writerOf(method.returns),
    };
    cache.set(method, compiled);
  }
  return compiled;
}

function needsWebSocket(method: MethodDescriptor): RpcError {
  return new RpcError(
    ErrorCode.InvalidParams,
    `${method.wireName} takes a callback and needs a WebSocket connection`,
  );
}

/** Appends a failure, creating the list on the first one (the happy path allocates none). */
function failed(errors: ParamError[] | undefined, pointer: string, detail: string): ParamError[] {
  const list = errors ?? [];
  list.push({ pointer, detail });
  return list;
}

function invalidParams(errors: ParamError[]): RpcError {
  return new RpcError(ErrorCode.InvalidParams, "Invalid params", {
    errors: errors as unknown as JsonValue,
  });
}

/**
 * The arguments of an incoming call, in IDL order (`undefined` for an absent optional one).
 * `params` is a named object, a positional array, or undefined/null for none. Unknown named
 * keys are ignored, like unknown record fields. All mismatching parameters are reported
 * together as `RpcError(InvalidParams, "Invalid params", { errors: [{ pointer, detail }] })`.
 * Callback ids are resolved only once every parameter is valid. Without `resolveCallback`
 * (HTTP) a method taking a callback is refused outright. `flavor` is how the values were
 * encoded on the wire (docs/values.md).
 */
export function decodeParams(
  method: MethodDescriptor,
  params: unknown,
  resolveCallback?: CallbackResolver,
  flavor: WireFlavor = "json",
): unknown[] {
  const compiled = compile(method, flavor);
  if (compiled.hasCallback && !resolveCallback) throw needsWebSocket(method);
  const specs = compiled.params;
  const count = specs.length;
  const args: unknown[] = new Array(count);
  let errors: ParamError[] | undefined;

  const positional = Array.isArray(params);
  let named: Record<string, unknown> | undefined;
  if (!positional && params !== undefined && params !== null) {
    if (!isJsonObject(params)) {
      throw invalidParams([{ pointer: "", detail: "expected object or array of parameters" }]);
    }
    named = params;
  }
  if (positional && params.length > count)
    errors = failed(errors, `/${count}`, "too many parameters");

  for (let i = 0; i < count; i++) {
    const spec = specs[i]!;
    const value = positional ? params[i] : named ? getOwn(named, spec.name) : undefined;
    if (value === undefined || (value === null && !spec.nullIsValue)) {
      if (!spec.optional) {
        errors = failed(errors, childPointer("", positional ? i : spec.name), "required");
      }
      continue;
    }
    if (spec.read) {
      try {
        args[i] = spec.read(value);
      } catch (error) {
        const decodeError = toDecodeError(error, childPointer("", positional ? i : spec.name));
        if (!(decodeError instanceof DecodeError)) throw decodeError;
        errors = failed(errors, decodeError.pointer, decodeError.detail);
      }
    } else if (typeof value === "string" && CALLBACK_ID.test(value)) {
      args[i] = value; // resolved below, once everything is known to be valid
    } else {
      errors = failed(errors, childPointer("", positional ? i : spec.name), "expected callback id");
    }
  }
  if (errors) throw invalidParams(errors);

  if (compiled.hasCallback) {
    for (let i = 0; i < count; i++) {
      const spec = specs[i]!;
      if (spec.callback && args[i] !== undefined) {
        const pointer = childPointer("", positional ? i : spec.name);
        args[i] = resolveCallback!(args[i] as string, spec.callback, pointer);
      }
    }
  }
  return args;
}

/**
 * The named-object params of an outgoing call. `args` are in IDL order; an undefined
 * optional argument is omitted. A callback argument travels as the id `callbackId` gives
 * it; without `callbackId` (HTTP) a method taking a callback is refused with an RpcError.
 * Throws EncodeError (pointer `/name/...`) for an argument that does not fit its type.
 * With `flavor` "msgpack" the values are MessagePack-flavored (docs/values.md).
 */
export function encodeParams(
  method: MethodDescriptor,
  args: readonly unknown[],
  callbackId?: CallbackIdentifier,
): Record<string, JsonValue>;
export function encodeParams(
  method: MethodDescriptor,
  args: readonly unknown[],
  callbackId: CallbackIdentifier | undefined,
  flavor: WireFlavor,
): Record<string, WireValue>;
export function encodeParams(
  method: MethodDescriptor,
  args: readonly unknown[],
  callbackId?: CallbackIdentifier,
  flavor: WireFlavor = "json",
): Record<string, WireValue> {
  const compiled = compile(method, flavor);
  if (compiled.hasCallback && !callbackId) throw needsWebSocket(method);
  const specs = compiled.params;
  if (args.length > specs.length) {
    throw new EncodeError(
      `/${specs.length}`,
      `at most ${specs.length} arguments`,
      `too many arguments for ${method.wireName}`,
    );
  }
  const out: Record<string, WireValue> = {};
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i]!;
    const value = args[i];
    if (value === undefined || (value === null && !spec.nullIsValue)) {
      if (spec.optional) continue;
      throw new EncodeError(childPointer("", spec.name), spec.expected, "required");
    }
    if (spec.write) {
      try {
        setOwn(out, spec.name, spec.write(value));
      } catch (error) {
        throw toEncodeError(error, childPointer("", spec.name));
      }
    } else if ((typeof value === "object" && value !== null) || typeof value === "function") {
      setOwn(out, spec.name, callbackId!(value, spec.callback!));
    } else {
      throw new EncodeError(childPointer("", spec.name), `${spec.callback!.name} implementation`);
    }
  }
  return out;
}

/** The wire form of a call's result; undefined for a void method. Throws EncodeError. */
export function encodeResult(method: MethodDescriptor, value: unknown): JsonValue | undefined;
export function encodeResult(
  method: MethodDescriptor,
  value: unknown,
  flavor: WireFlavor,
): WireValue | undefined;
export function encodeResult(
  method: MethodDescriptor,
  value: unknown,
  flavor: WireFlavor = "json",
): WireValue | undefined {
  const write = compile(method, flavor).writeResult;
  if (!write) return undefined;
  try {
    return write(value);
  } catch (error) {
    throw toEncodeError(error, "");
  }
}

/** The value of a call's wire result; undefined for a void method. Throws DecodeError. */
export function decodeResult(
  method: MethodDescriptor,
  json: unknown,
  flavor: WireFlavor = "json",
): unknown {
  const read = compile(method, flavor).readResult;
  if (!read) return undefined;
  try {
    return read(json);
  } catch (error) {
    throw toDecodeError(error, "");
  }
}

/**
 * `schema.decode` for any flavor: the value of a decoded wire value. Throws DecodeError
 * whose pointer is below `pointer`.
 */
export function decodeValue<T>(
  schema: Schema<T>,
  wire: unknown,
  flavor: WireFlavor = "json",
  pointer = "",
): T {
  if (flavor === "json") return schema.decode(wire, pointer);
  try {
    return flavoredReaderOf(schema, flavor)(wire);
  } catch (error) {
    throw toDecodeError(error, pointer);
  }
}

/** `schema.encode` for any flavor: the wire value of a TypeScript value. Throws EncodeError. */
export function encodeValue<T>(schema: Schema<T>, value: T, flavor: "json"): JsonValue;
export function encodeValue<T>(schema: Schema<T>, value: T, flavor?: WireFlavor): WireValue;
export function encodeValue<T>(
  schema: Schema<T>,
  value: T,
  flavor: WireFlavor = "json",
): WireValue {
  if (flavor === "json") return schema.encode(value);
  try {
    return flavoredWriterOf(schema, flavor)(value);
  } catch (error) {
    throw toEncodeError(error, "");
  }
}

/** For callers that need a Mismatch-free check of a callback id. */
export function isCallbackId(value: unknown): value is string {
  return typeof value === "string" && CALLBACK_ID.test(value);
}
