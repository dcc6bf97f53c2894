/** The schemas of the IDL's primitive types; see docs/values.md for the wire forms. */
import type { JsonValue, PrimitiveKind, PrimitiveSchema, Schema } from "./schema.js";
import { attachCodec } from "./compiled.js";
import type { MsgpackConverters, Reader, Writer } from "./compiled.js";
import type { MsgpackValue } from "./flavor.js";
import { Mismatch } from "./mismatch.js";
import { decodeBase64, encodeBase64, isCanonicalBase64 } from "./base64.js";
import { formatTimestamp, inTimestampRange, parseTimestamp } from "./timestamp.js";
import { isJsonObject, setOwn } from "./objects.js";

/** A primitive schema typed with its TypeScript value. */
export type Primitive<T> = Omit<PrimitiveSchema, "encode" | "decode"> & Schema<T>;

function primitive<T>(
  kind: PrimitiveKind,
  expected: string,
  read: Reader<T>,
  write: Writer<T>,
  msgpack?: MsgpackConverters<T>,
) {
  return attachCodec(
    { kind } as { readonly kind: PrimitiveKind },
    expected,
    read,
    write,
    msgpack && (() => msgpack),
  );
}

const readBool: Reader<boolean> = (json) => {
  if (typeof json === "boolean") return json;
  throw new Mismatch("bool");
};
const writeBool: Writer<boolean> = (value) => {
  if (typeof value === "boolean") return value;
  throw new Mismatch("bool");
};

// `x | 0` is x exactly for integral numbers in the int32 range.
const readInt32: Reader<number> = (json) => {
  if (typeof json === "number" && (json | 0) === json) return json;
  throw new Mismatch("int32");
};
const writeInt32: Writer<number> = (value) => {
  if (typeof value === "number" && (value | 0) === value) return value;
  throw new Mismatch("int32");
};

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** Canonical decimal: no sign on zero, no `+`, no leading zeros, at most 19 digits. */
const INT64_TEXT = /^(?:0|-?[1-9][0-9]{0,18})$/;

const readInt64: Reader<bigint> = (json) => {
  if (typeof json === "string") {
    if (INT64_TEXT.test(json)) {
      const value = BigInt(json);
      if (value >= INT64_MIN && value <= INT64_MAX) return value;
    }
  } else if (typeof json === "number" && Number.isSafeInteger(json)) {
    return BigInt(json);
  }
  throw new Mismatch("int64");
};
const writeInt64: Writer<bigint> = (value) => {
  if (typeof value === "bigint") {
    if (value >= INT64_MIN && value <= INT64_MAX) return value.toString();
  } else if (typeof value === "number" && Number.isSafeInteger(value)) {
    // Lenient for plain JavaScript callers; the wire form is the same.
    return String(value);
  }
  throw new Mismatch("int64");
};

// MessagePack: an integer of any format; the decoder gives a number when it is safe.
const readInt64Msgpack: Reader<bigint> = (value) => {
  if (typeof value === "bigint") {
    if (value >= INT64_MIN && value <= INT64_MAX) return value;
  } else if (typeof value === "number" && Number.isSafeInteger(value)) {
    return BigInt(value);
  }
  throw new Mismatch("int64");
};
const writeInt64Msgpack: Writer<bigint, MsgpackValue> = (value) => {
  if (typeof value === "bigint") {
    if (value >= INT64_MIN && value <= INT64_MAX) return value;
  } else if (typeof value === "number" && Number.isSafeInteger(value)) {
    return value;
  }
  throw new Mismatch("int64");
};

const readFloat64: Reader<number> = (json) => {
  if (typeof json === "number") return json;
  if (json === "NaN") return NaN;
  if (json === "Infinity") return Infinity;
  if (json === "-Infinity") return -Infinity;
  throw new Mismatch("float64");
};
const writeFloat64: Writer<number> = (value) => {
  if (typeof value === "number") {
    if (Number.isFinite(value)) return value;
    return value > 0 ? "Infinity" : value < 0 ? "-Infinity" : "NaN";
  }
  throw new Mismatch("float64");
};

// MessagePack: NaN and the infinities are floats like any other; an integer is accepted
// (encoders write integral numbers in the integer formats).
const readFloat64Msgpack: Reader<number> = (value) => {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  throw new Mismatch("float64");
};
const writeFloat64Msgpack: Writer<number, MsgpackValue> = (value) => {
  if (typeof value === "number") return value;
  throw new Mismatch("float64");
};

const readString: Reader<string> = (json) => {
  if (typeof json === "string") return json;
  throw new Mismatch("string");
};
const writeString: Writer<string> = (value) => {
  if (typeof value === "string") return value;
  throw new Mismatch("string");
};

/** For values from another realm (iframe, vm context), where instanceof fails. */
function isTagged(value: unknown, tag: string): boolean {
  return (
    typeof value === "object" && value !== null && Object.prototype.toString.call(value) === tag
  );
}

const BYTES = "base64 string";
const readBytes: Reader<Uint8Array> = (json) => {
  if (typeof json === "string" && isCanonicalBase64(json)) return decodeBase64(json);
  throw new Mismatch(BYTES);
};
const writeBytes: Writer<Uint8Array> = (value) => {
  if (value instanceof Uint8Array || isTagged(value, "[object Uint8Array]")) {
    return encodeBase64(value);
  }
  throw new Mismatch("Uint8Array");
};

function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array || isTagged(value, "[object Uint8Array]");
}

// MessagePack: bin. Anything but a plain Uint8Array (a Node Buffer, whose memory may be
// a slice of a shared pool) is copied into one.
const readBytesMsgpack: Reader<Uint8Array> = (value) => {
  if (isBytes(value)) {
    if (Object.getPrototypeOf(value) === Uint8Array.prototype) return value;
    const copy = new Uint8Array(value.length);
    copy.set(value);
    return copy;
  }
  throw new Mismatch("bin");
};
const writeBytesMsgpack: Writer<Uint8Array, MsgpackValue> = (value) => {
  if (value instanceof Uint8Array) return value;
  if (isTagged(value, "[object Uint8Array]")) return new Uint8Array(value as Uint8Array);
  throw new Mismatch("Uint8Array");
};

const TIMESTAMP = "RFC 3339 timestamp";
const readTimestamp: Reader<Date> = (json) => {
  if (typeof json === "string") {
    const date = parseTimestamp(json);
    if (date) return date;
  }
  throw new Mismatch(TIMESTAMP);
};
const writeTimestamp: Writer<Date> = (value) => {
  if (value instanceof Date || isTagged(value, "[object Date]")) {
    const text = formatTimestamp(value);
    if (text !== undefined) return text;
  }
  throw new Mismatch("valid Date between years 0 and 9999");
};

function isDate(value: unknown): value is Date {
  return value instanceof Date || isTagged(value, "[object Date]");
}

// MessagePack: the timestamp extension, which the decoder turns into a Date.
const MSGPACK_TIMESTAMP = "timestamp extension";
const readTimestampMsgpack: Reader<Date> = (value) => {
  if (isDate(value) && inTimestampRange(value)) return value;
  throw new Mismatch(MSGPACK_TIMESTAMP);
};
const writeTimestampMsgpack: Writer<Date, MsgpackValue> = (value) => {
  // A Date of another realm is copied: the encoder knows this realm's Date only.
  if (isDate(value) && inTimestampRange(value)) {
    return value instanceof Date ? value : new Date((value as Date).getTime());
  }
  throw new Mismatch("valid Date between years 0 and 9999");
};

const JSON_VALUE = "JSON value";

/** Validates a JSON-shaped value and copies its objects and arrays key by key. */
const readJson: Reader<JsonValue> = (json) => {
  switch (typeof json) {
    case "string":
    case "boolean":
      return json;
    case "number":
      if (Number.isFinite(json)) return json;
      break;
    case "object": {
      if (json === null) return null;
      if (Array.isArray(json)) {
        const copy: JsonValue[] = new Array(json.length);
        let i = 0;
        try {
          for (; i < json.length; i++) copy[i] = readJson(json[i]);
        } catch (error) {
          if (error instanceof Mismatch) error.path.push(i);
          throw error;
        }
        return copy;
      }
      if (!isPlainObject(json)) break;
      const copy: Record<string, JsonValue> = {};
      const keys = Object.keys(json);
      let key = "";
      try {
        for (key of keys) setOwn(copy, key, readJson((json as Record<string, unknown>)[key]));
      } catch (error) {
        if (error instanceof Mismatch) error.path.push(key);
        throw error;
      }
      return copy;
    }
  }
  throw new Mismatch(JSON_VALUE);
};

/**
 * MessagePack: the same JSON values. An integer beyond 2^53 (a 64-bit format) becomes the
 * nearest number, as JSON.parse does with such a literal; bin, timestamps and non-finite
 * floats are not JSON values and are refused.
 */
const readJsonMsgpack: Reader<JsonValue> = (value) => {
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "object" && value !== null) {
    if (Array.isArray(value)) {
      const copy: JsonValue[] = new Array(value.length);
      let i = 0;
      try {
        for (; i < value.length; i++) copy[i] = readJsonMsgpack(value[i]);
      } catch (error) {
        if (error instanceof Mismatch) error.path.push(i);
        throw error;
      }
      return copy;
    }
    if (!isPlainObject(value)) throw new Mismatch(JSON_VALUE);
    const copy: Record<string, JsonValue> = {};
    let key = "";
    try {
      for (key of Object.keys(value)) {
        setOwn(copy, key, readJsonMsgpack((value as Record<string, unknown>)[key]));
      }
    } catch (error) {
      if (error instanceof Mismatch) error.path.push(key);
      throw error;
    }
    return copy;
  }
  return readJson(value);
};

/** Validates without copying: the value is only serialized, never kept. */
const writeJson: Writer<JsonValue> = (value) => {
  checkJson(value);
  return value;
};

function checkJson(value: unknown): void {
  switch (typeof value) {
    case "string":
    case "boolean":
      return;
    case "number":
      if (Number.isFinite(value)) return;
      break;
    case "object": {
      if (value === null) return;
      if (Array.isArray(value)) {
        let i = 0;
        try {
          for (; i < value.length; i++) checkJson(value[i]);
        } catch (error) {
          if (error instanceof Mismatch) error.path.push(i);
          throw error;
        }
        return;
      }
      if (!isPlainObject(value)) break;
      let key = "";
      try {
        for (key of Object.keys(value)) checkJson((value as Record<string, unknown>)[key]);
      } catch (error) {
        if (error instanceof Mismatch) error.path.push(key);
        throw error;
      }
      return;
    }
  }
  throw new Mismatch(JSON_VALUE);
}

/** Objects JSON.parse could have made: Object.prototype or no prototype. */
function isPlainObject(value: object): boolean {
  if (!isJsonObject(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

export const bool: Primitive<boolean> = primitive("bool", "bool", readBool, writeBool);
export const int32: Primitive<number> = primitive("int32", "int32", readInt32, writeInt32);
export const int64: Primitive<bigint> = primitive("int64", "int64", readInt64, writeInt64, {
  read: readInt64Msgpack,
  write: writeInt64Msgpack,
});
export const float64: Primitive<number> = primitive(
  "float64",
  "float64",
  readFloat64,
  writeFloat64,
  { read: readFloat64Msgpack, write: writeFloat64Msgpack },
);
export const string: Primitive<string> = primitive("string", "string", readString, writeString);
export const bytes: Primitive<Uint8Array> = primitive("bytes", BYTES, readBytes, writeBytes, {
  read: readBytesMsgpack,
  write: writeBytesMsgpack,
});
export const timestamp: Primitive<Date> = primitive(
  "timestamp",
  TIMESTAMP,
  readTimestamp,
  writeTimestamp,
  { read: readTimestampMsgpack, write: writeTimestampMsgpack },
);
export const json: Primitive<JsonValue> = primitive("json", JSON_VALUE, readJson, writeJson, {
  read: readJsonMsgpack,
  write: writeJson,
});
