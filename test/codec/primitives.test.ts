import vm from "node:vm";
import { describe, expect, test } from "@jest/globals";
import { DecodeError, EncodeError, childPointer, escapePointerToken, t } from "@svcgen/runtime";

function decodeFailure(run: () => unknown): DecodeError {
  try {
    run();
  } catch (error) {
    if (error instanceof DecodeError) return error;
    throw error;
  }
  throw new Error("expected a DecodeError");
}

describe("bool and string", () => {
  test("accept their JSON type only", () => {
    expect(t.bool.decode(true)).toBe(true);
    expect(t.bool.encode(false)).toBe(false);
    expect(() => t.bool.decode("true")).toThrow("expected bool");
    expect(t.string.decode("é☃")).toBe("é☃");
    expect(() => t.string.decode(1)).toThrow(new DecodeError("", "string"));
    expect(() => t.string.encode(1 as unknown as string)).toThrow(EncodeError);
  });
});

describe("int32", () => {
  test("accepts integers in range", () => {
    for (const value of [0, 1, -1, 2147483647, -2147483648]) {
      expect(t.int32.decode(value)).toBe(value);
      expect(t.int32.encode(value)).toBe(value);
    }
  });
  test("rejects fractions, strings and out-of-range values", () => {
    for (const value of [1.5, "1", 2147483648, -2147483649, NaN, Infinity, null, true]) {
      expect(() => t.int32.decode(value)).toThrow("expected int32");
      expect(() => t.int32.encode(value as number)).toThrow(EncodeError);
    }
  });
  test("reports the pointer given by the caller", () => {
    const error = decodeFailure(() => t.int32.decode("x", "/a~1b"));
    expect(error.pointer).toBe("/a~1b");
    expect(error.expected).toBe("int32");
    expect(error.message).toBe("/a~1b: expected int32");
  });
});

describe("int64", () => {
  test("travels as a decimal string and decodes to bigint", () => {
    expect(t.int64.encode(-9007199254740993n)).toBe("-9007199254740993");
    expect(t.int64.decode("-9007199254740993")).toBe(-9007199254740993n);
    expect(t.int64.decode("9223372036854775807")).toBe(9223372036854775807n);
    expect(t.int64.decode("-9223372036854775808")).toBe(-9223372036854775808n);
    expect(t.int64.decode("0")).toBe(0n);
  });
  test("also accepts safe integer numbers", () => {
    expect(t.int64.decode(42)).toBe(42n);
    expect(t.int64.decode(-9007199254740991)).toBe(-9007199254740991n);
    expect(t.int64.encode(7 as unknown as bigint)).toBe("7");
  });
  test("rejects non-canonical strings, unsafe numbers and out-of-range values", () => {
    for (const value of [
      "01",
      "+1",
      "-0",
      " 1",
      "1 ",
      "1e3",
      "",
      "0x10",
      "1.0",
      "9223372036854775808",
      "-9223372036854775809",
      "12345678901234567890",
      9007199254740992,
      1.5,
      null,
    ]) {
      expect(() => t.int64.decode(value)).toThrow("expected int64");
    }
    expect(() => t.int64.encode(2n ** 63n)).toThrow(EncodeError);
    expect(() => t.int64.encode(-(2n ** 63n) - 1n)).toThrow(EncodeError);
  });
});

describe("float64", () => {
  test("numbers pass; non-finite values travel as strings", () => {
    expect(t.float64.encode(1.25)).toBe(1.25);
    expect(t.float64.encode(NaN)).toBe("NaN");
    expect(t.float64.encode(Infinity)).toBe("Infinity");
    expect(t.float64.encode(-Infinity)).toBe("-Infinity");
    expect(t.float64.decode("NaN")).toBeNaN();
    expect(t.float64.decode("Infinity")).toBe(Infinity);
    expect(t.float64.decode("-Infinity")).toBe(-Infinity);
    expect(t.float64.decode(-0.5)).toBe(-0.5);
  });
  test("rejects other strings", () => {
    for (const value of ["1", "nan", "inf", "+Infinity", null, {}]) {
      expect(() => t.float64.decode(value)).toThrow("expected float64");
    }
  });
});

describe("bytes", () => {
  test("round-trips through standard padded base64", () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 251, 252, 253, 254, 255]);
    expect(t.bytes.encode(bytes)).toBe("AAEC+vv8/f7/");
    expect(t.bytes.encode(new Uint8Array([104, 105]))).toBe("aGk=");
    expect(t.bytes.decode("aGk=")).toEqual(new Uint8Array([104, 105]));
    expect(t.bytes.decode("aA==")).toEqual(new Uint8Array([104]));
    expect(t.bytes.decode("")).toEqual(new Uint8Array([]));
    const decoded = t.bytes.decode("AAEC+vv8/f7/");
    expect(decoded).toEqual(bytes);
    expect(decoded.constructor).toBe(Uint8Array);
    expect(decoded.byteOffset).toBe(0);
    expect(decoded.buffer.byteLength).toBe(bytes.length);
  });
  test("encodes a view of a larger buffer by its own bytes only", () => {
    const view = new Uint8Array([9, 104, 105, 9]).subarray(1, 3);
    expect(t.bytes.encode(view)).toBe("aGk=");
  });
  test("rejects url-safe, unpadded, non-canonical and malformed base64", () => {
    for (const value of [
      "aGk",
      "aA=",
      "aGk==",
      "a=Gk",
      "aB==",
      "aGl=",
      "-_8=",
      "aG k",
      "aGk=\n",
      5,
    ]) {
      expect(() => t.bytes.decode(value)).toThrow("expected base64 string");
    }
    expect(() => t.bytes.encode([1, 2] as unknown as Uint8Array)).toThrow(EncodeError);
  });
});

describe("timestamp", () => {
  test("encodes as UTC with milliseconds", () => {
    expect(t.timestamp.encode(new Date(Date.UTC(2024, 1, 29, 13, 4, 5, 6)))).toBe(
      "2024-02-29T13:04:05.006Z",
    );
  });
  test("decodes RFC 3339 with offsets and fractions of any length", () => {
    const at = (text: string) => t.timestamp.decode(text).toISOString();
    expect(at("2024-02-29T13:04:05Z")).toBe("2024-02-29T13:04:05.000Z");
    expect(at("2024-02-29T13:04:05.1Z")).toBe("2024-02-29T13:04:05.100Z");
    expect(at("2024-02-29T13:04:05.123456789Z")).toBe("2024-02-29T13:04:05.123Z");
    expect(at("2024-02-29T15:04:05+02:00")).toBe("2024-02-29T13:04:05.000Z");
    expect(at("2024-02-29T10:34:05-02:30")).toBe("2024-02-29T13:04:05.000Z");
    expect(at("2024-02-29t13:04:05z")).toBe("2024-02-29T13:04:05.000Z");
    expect(at("0001-01-01T00:00:00Z")).toBe("0001-01-01T00:00:00.000Z");
    expect(at("0099-06-15T00:00:00Z")).toBe("0099-06-15T00:00:00.000Z");
  });
  test("rejects what is not a valid RFC 3339 date-time", () => {
    for (const value of [
      "2024-02-30T00:00:00Z",
      "2023-02-29T00:00:00Z",
      "2024-13-01T00:00:00Z",
      "2024-01-01T24:00:00Z",
      "2024-01-01T00:60:00Z",
      "2024-01-01T00:00:60Z",
      "2024-01-01T00:00:00",
      "2024-01-01 00:00:00Z",
      "2024-01-01T00:00:00+0200",
      "2024-01-01T00:00:00+24:00",
      "2024-01-01",
      "2024-01-01T00:00:00.Z",
      1700000000000,
    ]) {
      expect(() => t.timestamp.decode(value)).toThrow("expected RFC 3339 timestamp");
    }
  });
  test("refuses to encode an invalid Date or one outside years 0-9999", () => {
    expect(() => t.timestamp.encode(new Date(NaN))).toThrow(EncodeError);
    expect(() => t.timestamp.encode(new Date(Date.UTC(10000, 0, 1)))).toThrow(EncodeError);
    expect(() => t.timestamp.encode("2024-01-01T00:00:00Z" as unknown as Date)).toThrow(
      EncodeError,
    );
  });
});

describe("json", () => {
  test("passes any JSON value, copying objects", () => {
    const input = { a: [1, "x", null, true, { b: {} }] };
    const decoded = t.json.decode(input);
    expect(decoded).toEqual(input);
    expect(decoded).not.toBe(input);
    expect(t.json.encode(input)).toEqual(input);
  });
  test("keeps __proto__, constructor and prototype keys as inert own properties", () => {
    const input = JSON.parse('{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}}}');
    const decoded = t.json.decode(input) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded)).toEqual(["__proto__", "constructor"]);
    expect(Object.getOwnPropertyDescriptor(decoded, "__proto__")?.value).toEqual({ polluted: 1 });
    expect((decoded as { polluted?: unknown }).polluted).toBeUndefined();
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(JSON.stringify(decoded)).toBe(JSON.stringify(input));
  });
  test("rejects values JSON cannot hold, with their pointer", () => {
    expect(() => t.json.decode({ a: [1, undefined] })).toThrow("/a/1: expected JSON value");
    expect(() => t.json.encode({ a: { b: NaN } })).toThrow("/a/b: expected JSON value");
    expect(() => t.json.encode({ d: new Date() } as never)).toThrow("/d: expected JSON value");
    expect(() => t.json.encode(1n as never)).toThrow(EncodeError);
  });
  test("reports over-deep nesting as a DecodeError, and cycles as an EncodeError", () => {
    let deep: unknown = 0;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(() => t.json.decode(deep)).toThrow(
      new DecodeError("", "a less deeply nested value", "value nested too deeply"),
    );
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    expect(() => t.json.encode(cyclic as never)).toThrow(EncodeError);
  });
});

describe("codec errors", () => {
  test("are Errors carrying pointer, expected and detail", () => {
    const error = new DecodeError("/info/tags/3", "string");
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("DecodeError");
    expect(error.message).toBe("/info/tags/3: expected string");
    expect([error.pointer, error.expected, error.detail]).toEqual([
      "/info/tags/3",
      "string",
      "expected string",
    ]);
    const missing = new EncodeError("/id", "string", "required");
    expect(missing.name).toBe("EncodeError");
    expect(missing.message).toBe("/id: required");
    expect(new DecodeError("", "int32").message).toBe("expected int32");
  });
  test("pointers escape ~ and / as RFC 6901 says", () => {
    expect(escapePointerToken("a/b~c")).toBe("a~1b~0c");
    expect(escapePointerToken("~1")).toBe("~01");
    expect(childPointer("/x", "a/b")).toBe("/x/a~1b");
    expect(childPointer("", 3)).toBe("/3");
  });
});

describe("values from another realm", () => {
  test("Uint8Array and Date made in a vm context encode like local ones", () => {
    const [bytes, date] = vm.runInNewContext(
      "[new Uint8Array([104, 105]), new Date(Date.UTC(2024, 0, 2))]",
    ) as [Uint8Array, Date];
    expect(bytes instanceof Uint8Array).toBe(false);
    expect(t.bytes.encode(bytes)).toBe("aGk=");
    expect(t.timestamp.encode(date)).toBe("2024-01-02T00:00:00.000Z");
  });
});
