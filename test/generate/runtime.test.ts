/**
 * The generated modules work with the runtime: their codecs round-trip values through
 * JSON, their descriptors keep IDL names on the wire (hostile ones included), and
 * declared errors are instances of their class.
 */
import { describe, expect, test } from "@jest/globals";
import { RpcError } from "@svcgen/runtime";
import {
  EverythingDescriptor,
  HostileSchema,
  NotFound,
  PayloadSchema,
  SampleSchema,
  WatcherDescriptor,
} from "../../generated/features/everything.js";
import type { Hostile, Payload, Sample } from "../../generated/features/everything.js";
import { NameTaken } from "../../generated/chat.js";

const viaJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

const sample: Sample = {
  flag: true,
  small: -7,
  big: -9007199254740993n,
  ratio: Number.POSITIVE_INFINITY,
  label: "ünïcode",
  blob: new Uint8Array([0, 1, 254, 255]),
  at: new Date("2026-11-25T17:00:00.123Z"),
  extra: { list: [1, "two", null, { three: false }] },
  nickname: "nick",
  matrix: [[1, 2], [], [3]],
  byName: { a: "Red", b: "Lime" },
  nested: { x: { y: [1n, -2n] } },
  price: { currency: "EUR", minorUnits: 12345678901234567n },
  severity: "Warning",
};

describe("generated codecs", () => {
  test("a record with every type round-trips through JSON", () => {
    const wire = viaJson(SampleSchema.encode(sample));
    expect(wire).toMatchObject({ big: "-9007199254740993", ratio: "Infinity", blob: "AAH+/w==" });
    expect(SampleSchema.decode(wire)).toEqual(sample);
  });

  test("recursive unions round-trip, one key per case on the wire", () => {
    const payload: Payload = {
      case: "tree",
      value: { value: "root", children: [{ value: "leaf", children: [] }] },
    };
    const wire = viaJson(PayloadSchema.encode(payload));
    expect(wire).toEqual({ tree: { value: "root", children: [{ value: "leaf", children: [] }] } });
    expect(PayloadSchema.decode(wire)).toEqual(payload);
  });

  test("hostile field names keep their wire names and never touch a prototype", () => {
    const wire = JSON.parse(
      '{"delete":"d","class":1,"constructor":"c","__proto__":"p","prototype":true,"map":{},"interface":["i"]}',
    ) as unknown;
    const decoded: Hostile = HostileSchema.decode(wire);
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(decoded, "__proto__")?.value).toBe("p");
    expect(decoded.constructor).toBe("c");
    expect(decoded.delete).toBe("d");
    expect(viaJson(HostileSchema.encode(decoded))).toEqual(wire);
  });
});

describe("generated descriptors", () => {
  test("carry the IDL method and parameter names, hostile ones included", () => {
    expect([...EverythingDescriptor.methods.keys()]).toEqual([
      "echo",
      "find",
      "ping",
      "watch",
      "compare",
      "evaluate",
      "raw",
      "oldEcho",
      "constructor",
      "__proto__",
      "toString",
    ]);
    const ctor = EverythingDescriptor.methods.get("constructor");
    expect(ctor?.params.map((p) => [p.name, p.optional])).toEqual([
      ["delete", false],
      ["class", true],
    ]);
    expect(ctor?.wireName).toBe("features.everything.Everything.constructor");
    const del = WatcherDescriptor.methods.get("delete");
    expect(del?.oneway).toBe(true);
    expect(del?.params.map((p) => p.name)).toEqual(["constructor", "__proto__"]);
  });

  test("flag idempotent, deprecated and callback-taking methods, and list thrown errors", () => {
    const methods = EverythingDescriptor.methods;
    expect(methods.get("echo")?.idempotent).toBe(true);
    expect(methods.get("oldEcho")?.deprecated).toBe("use echo");
    expect(methods.get("watch")?.takesCallback).toBe(true);
    expect(methods.get("watch")?.params[1]?.callback).toBe(WatcherDescriptor);
    expect(methods.get("find")?.throws.map((e) => e.name)).toEqual([
      "features.everything.NotFound",
      "features.everything.Invalid",
    ]);
    expect(EverythingDescriptor.contractHash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("generated errors", () => {
  test("are RpcErrors with their fields, rebuilt by the descriptor from decoded fields", () => {
    const error = NotFound.descriptor.create(
      NotFound.descriptor.fields.decode({ key: "k" }),
      "no such key",
    );
    expect(error).toBeInstanceOf(NotFound);
    expect(error).toBeInstanceOf(RpcError);
    expect(error.key).toBe("k");
    expect(error.message).toBe("no such key");
    expect(NotFound.descriptor.status).toBe(404);
  });

  test("a field named like an Error member stays in fields and leaves the error's own alone", () => {
    const error = new NameTaken({ name: "ada" });
    expect(error.name).toBe("NameTaken");
    expect(error.fields.name).toBe("ada");
  });
});
