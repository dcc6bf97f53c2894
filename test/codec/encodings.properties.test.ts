/**
 * Every IDL type survives the whole trip under both wire encodings: schema encode (in the
 * encoding's flavor) → frame → bytes → frame decode → schema decode gives the value back.
 */
import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import {
  decodeParams,
  decodeResult,
  decodeValue,
  encodeParams,
  encodeResult,
  encodeValue,
  jsonEncoding,
  msgpackEncoding,
  t,
} from "@svcgen/runtime";
import type { JsonValue, Schema, WireEncoding } from "@svcgen/runtime";
import { JobInfoSchema, NodeSchema, ShapeSchema, methodOf } from "./jobs-module.js";
import type { JobInfo, Node, Shape } from "./jobs-module.js";

const encodings: [string, WireEncoding][] = [
  ["svc.json", jsonEncoding()],
  ["svc.msgpack", msgpackEncoding()],
];

/** What the peer's schema sees after the value crossed the wire in `encoding`. */
function overTheWire<T>(schema: Schema<T>, value: T, encoding: WireEncoding): T {
  const frame = encoding.encode(encodeValue(schema, value, encoding.flavor));
  // As it arrives: a fresh string, or fresh bytes in a Node Buffer.
  const arrived = typeof frame === "string" ? frame.slice() : Buffer.from(frame);
  const { value: decoded, tooDeep } = encoding.decode(arrived);
  expect(tooDeep).toBe(false);
  return decodeValue(schema, decoded, encoding.flavor);
}

/** JSON cannot write -0 (it prints "0"); MessagePack keeps it as a float. */
const noNegativeZero = (n: number) => (Object.is(n, -0) ? 0 : n);

const trickyKey = fc.oneof(
  fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty"),
  fc.string({ unit: "binary" }),
);

function objectOf<V>(entries: [string, V][]): Record<string, V> {
  const out: Record<string, V> = {};
  for (const [key, value] of entries) {
    Object.defineProperty(out, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

const { json: randomJson } = fc.letrec<{ json: JsonValue }>((tie) => ({
  json: fc.oneof(
    { maxDepth: 4, withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.maxSafeInteger(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map(noNegativeZero),
    fc.string({ unit: "binary" }),
    fc.array(tie("json"), { maxLength: 4 }),
    fc.array(fc.tuple(trickyKey, tie("json")), { maxLength: 4 }).map(objectOf),
  ),
}));

const anyDate = fc.date({
  min: new Date("0000-01-01T00:00:00.000Z"),
  max: new Date("9999-12-31T23:59:59.999Z"),
  noInvalidDate: true,
});
const int64 = fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n);

const info: fc.Arbitrary<JobInfo> = fc.record(
  {
    id: fc.string({ unit: "binary" }),
    state: fc.constantFrom("Queued", "Running"),
    startedAt: anyDate,
    tags: fc.array(fc.string()),
  },
  { requiredKeys: ["id", "state", "tags"] },
);

const { node } = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { maxDepth: 4 },
    fc.record({ label: fc.string(), children: fc.constant<Node[]>([]) }),
    fc.record(
      { label: fc.string(), children: fc.array(tie("node"), { maxLength: 3 }), next: tie("node") },
      { requiredKeys: ["label", "children"] },
    ),
  ),
}));

const shape: fc.Arbitrary<Shape> = fc.oneof(
  fc.double().map((value) => ({ case: "circle" as const, value: noNegativeZero(value) })),
  fc.double().map((value) => ({ case: "square" as const, value: noNegativeZero(value) })),
);

const cases: [string, Schema<any>, fc.Arbitrary<unknown>][] = [
  ["bool", t.bool, fc.boolean()],
  ["int32", t.int32, fc.integer().map(noNegativeZero)],
  ["int64", t.int64, int64],
  ["float64", t.float64, fc.double().map(noNegativeZero)],
  ["string", t.string, fc.string({ unit: "binary" })],
  ["bytes", t.bytes, fc.uint8Array({ maxLength: 300 })],
  ["timestamp", t.timestamp, anyDate],
  ["enum", JobInfoSchema.fields[1]!.schema, fc.constantFrom("Queued", "Running")],
  ["list<int64>", t.list(t.int64), fc.array(int64, { maxLength: 20 })],
  ["list<bytes>", t.list(t.bytes), fc.array(fc.uint8Array({ maxLength: 8 }), { maxLength: 5 })],
  [
    "map<string, timestamp>",
    t.map(t.timestamp),
    fc.array(fc.tuple(trickyKey, anyDate), { maxLength: 5 }).map(objectOf),
  ],
  ["record (optional fields absent and present)", JobInfoSchema, info],
  ["recursive record", NodeSchema, node],
  ["union", ShapeSchema, shape],
  ["json", t.json, randomJson],
];

describe.each(encodings)("round trips under %s", (_name, encoding) => {
  test.each(cases)("%s", (_type, schema, values) => {
    fc.assert(
      fc.property(values, (value) => {
        const back = overTheWire(schema, value, encoding);
        expect(back).toEqual(value);
        // toEqual does not see own `__proto__` keys; compare the keys themselves too.
        if (typeof value === "object" && value !== null && !ArrayBuffer.isView(value)) {
          expect(JSON.stringify(Object.keys(back as object))).toBe(
            JSON.stringify(Object.keys(value)),
          );
        }
      }),
    );
  });

  test("parameters and results of a method", () => {
    const find = methodOf("find");
    fc.assert(
      fc.property(
        fc.constantFrom("Queued", "Running"),
        fc.integer(),
        fc.option(anyDate, { nil: undefined }),
        fc.array(info, { maxLength: 3 }),
        (state, limit, since, result) => {
          const params = encodeParams(find, [state, limit, since], undefined, encoding.flavor);
          const frame = encoding.encode({
            jsonrpc: "2.0",
            id: 1,
            method: "jobs.JobService/find",
            params,
          });
          const message = encoding.decode(frame).value as { params: unknown };
          const args = decodeParams(find, message.params, undefined, encoding.flavor);
          expect(args).toEqual([state, limit, since, undefined]);

          const wire = encodeResult(find, result, encoding.flavor);
          const answer = encoding.decode(
            encoding.encode({ jsonrpc: "2.0", id: 1, result: wire }),
          ).value;
          expect(
            decodeResult(find, (answer as { result: unknown }).result, encoding.flavor),
          ).toEqual(result);
        },
      ),
    );
  });
});

describe("only under svc.msgpack", () => {
  const msgpack = msgpackEncoding();

  test("-0, NaN and the infinities travel as floats", () => {
    for (const value of [-0, NaN, Infinity, -Infinity]) {
      expect(Object.is(overTheWire(t.float64, value, msgpack), value)).toBe(true);
    }
  });

  test("an integral float64 is written as an integer and read back", () => {
    expect(msgpack.encode(encodeValue(t.float64, 3, "msgpack"))).toEqual(Uint8Array.of(3));
    expect(overTheWire(t.float64, 3, msgpack)).toBe(3);
  });
});
