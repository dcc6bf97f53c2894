/**
 * The MessagePack flavor of the codecs: native wire values (bigint, Uint8Array, Date,
 * non-finite floats), the same validation and error pointers as JSON, the same safety.
 */
import { describe, expect, test } from "@jest/globals";
import {
  DecodeError,
  EncodeError,
  ErrorCode,
  RpcError,
  decodeParams,
  decodeValue,
  encodeValue,
  t,
} from "@svcgen/runtime";
import type { Schema } from "@svcgen/runtime";
import { JobInfoSchema, NodeSchema, ShapeSchema, methodOf } from "./jobs-module.js";

function decodeFailure(schema: Schema<unknown>, wire: unknown, flavor: "json" | "msgpack") {
  try {
    decodeValue(schema, wire, flavor);
  } catch (error) {
    expect(error).toBeInstanceOf(DecodeError);
    return (error as DecodeError).message;
  }
  throw new Error("decoded");
}

describe("wire values", () => {
  test("int64, bytes, timestamp and float64 are native values", () => {
    const date = new Date("2026-12-01T10:00:00.123Z");
    expect(encodeValue(t.int64, 2n ** 62n, "msgpack")).toBe(2n ** 62n);
    expect(encodeValue(t.bytes, Uint8Array.of(1, 2), "msgpack")).toEqual(Uint8Array.of(1, 2));
    expect(encodeValue(t.timestamp, date, "msgpack")).toBe(date);
    expect(encodeValue(t.float64, NaN, "msgpack")).toBeNaN();
    expect(encodeValue(t.float64, -Infinity, "msgpack")).toBe(-Infinity);
    // The JSON flavor is unchanged.
    expect(encodeValue(t.int64, 2n ** 62n, "json")).toBe("4611686018427387904");
    expect(encodeValue(t.float64, NaN)).toBe("NaN");
  });

  test("records are maps of their fields with absent optionals omitted; unions one key", () => {
    const wire = encodeValue(JobInfoSchema, { id: "j", state: "Queued", tags: [] }, "msgpack");
    expect(wire).toEqual({ id: "j", state: "Queued", tags: [] });
    expect(Object.keys(wire as object)).toEqual(["id", "state", "tags"]);
    expect(encodeValue(ShapeSchema, { case: "circle", value: 2 }, "msgpack")).toEqual({
      circle: 2,
    });
  });

  test("int64 reads any integer in range, as number or bigint, and nothing else", () => {
    expect(decodeValue(t.int64, 5, "msgpack")).toBe(5n);
    expect(decodeValue(t.int64, -(2n ** 63n), "msgpack")).toBe(-(2n ** 63n));
    for (const wire of [2n ** 63n, "5", 1.5, 2 ** 53, null]) {
      expect(decodeFailure(t.int64, wire, "msgpack")).toBe("expected int64");
    }
  });

  test("float64 reads integers too, and refuses strings (no text forms of NaN)", () => {
    expect(decodeValue(t.float64, 7, "msgpack")).toBe(7);
    expect(decodeValue(t.float64, 2n ** 60n, "msgpack")).toBe(2 ** 60);
    expect(decodeFailure(t.float64, "NaN", "msgpack")).toBe("expected float64");
  });

  test("bytes read bin only; a Node Buffer becomes a plain Uint8Array", () => {
    const decoded = decodeValue(t.bytes, Buffer.from([1, 2, 3]), "msgpack");
    expect(Object.getPrototypeOf(decoded)).toBe(Uint8Array.prototype);
    expect(Array.from(decoded)).toEqual([1, 2, 3]);
    expect(decodeFailure(t.bytes, "AQID", "msgpack")).toBe("expected bin");
  });

  test("timestamps read the extension's Date only, within years 0 to 9999", () => {
    const date = new Date(5);
    expect(decodeValue(t.timestamp, date, "msgpack")).toEqual(date);
    for (const wire of [
      "1970-01-01T00:00:00.005Z",
      5,
      new Date(NaN),
      new Date("+010000-01-01T00:00:00Z"),
    ]) {
      expect(decodeFailure(t.timestamp, wire, "msgpack")).toBe("expected timestamp extension");
    }
    expect(() => encodeValue(t.timestamp, new Date("+010000-01-01T00:00:00Z"), "msgpack")).toThrow(
      EncodeError,
    );
  });

  test("json values: bigint beyond 2^53 becomes the nearest number; bin, Date, NaN refused", () => {
    expect(decodeValue(t.json, [2n ** 60n], "msgpack")).toEqual([2 ** 60]);
    for (const wire of [Uint8Array.of(1), new Date(0), NaN, { a: [Infinity] }]) {
      expect(decodeFailure(t.json, wire, "msgpack")).toMatch(/expected JSON value$/);
    }
    expect(decodeFailure(t.json, { a: [1, new Date(0)] }, "msgpack")).toBe(
      "/a/1: expected JSON value",
    );
  });
});

describe("validation matches the JSON flavor", () => {
  test.each([
    ["a wrong list element", JobInfoSchema, { id: "j", state: "Queued", tags: ["a", 5] }],
    ["a missing field", JobInfoSchema, { id: "j", tags: [] }],
    ["a wrong enum member", JobInfoSchema, { id: "j", state: "Done", tags: [] }],
    ["a null required field", JobInfoSchema, { id: null, state: "Queued", tags: [] }],
    [
      "deep in a recursive record",
      NodeSchema,
      { label: "a", children: [{ label: 1, children: [] }] },
    ],
    ["a union of two keys", ShapeSchema, { circle: 1, square: 2 }],
    ["a union case of the wrong type", ShapeSchema, { circle: "x" }],
    ["a map value", t.map(t.bool), { "a/b~c": 1 }],
  ])("%s: same pointer and message", (_name, schema, wire) => {
    expect(decodeFailure(schema as Schema<unknown>, wire, "msgpack")).toBe(
      decodeFailure(schema as Schema<unknown>, wire, "json"),
    );
  });

  test("encode errors carry the same pointers", () => {
    const bad = { id: "j", state: "Queued", tags: ["a", 5] } as never;
    expect(() => encodeValue(JobInfoSchema, bad, "msgpack")).toThrow("/tags/1: expected string");
    expect(() => JobInfoSchema.encode(bad)).toThrow("/tags/1: expected string");
  });

  test("prototype-named map keys stay own keys; unknown record fields are dropped", () => {
    const wire = JSON.parse('{"__proto__": true, "constructor": false}');
    const decoded = decodeValue(t.map(t.bool), wire, "msgpack");
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded)).toEqual(["__proto__", "constructor"]);
    const record = decodeValue(
      JobInfoSchema,
      { id: "j", state: "Queued", tags: [], extra: 1 },
      "msgpack",
    );
    expect(Object.keys(record)).toEqual(["id", "state", "tags"]);
  });

  test("invalid params list every failing pointer", () => {
    try {
      decodeParams(
        methodOf("find"),
        { state: "Nope", limit: 1.5, since: "2026" },
        undefined,
        "msgpack",
      );
      throw new Error("decoded");
    } catch (error) {
      expect(error).toBeInstanceOf(RpcError);
      expect((error as RpcError).code).toBe(ErrorCode.InvalidParams);
      expect((error as RpcError).data).toEqual({
        errors: [
          { pointer: "/state", detail: "expected one of Queued, Running" },
          { pointer: "/limit", detail: "expected int32" },
          { pointer: "/since", detail: "expected timestamp extension" },
        ],
      });
    }
  });
});
