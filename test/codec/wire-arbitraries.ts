/**
 * fast-check generators of every IDL type, shared by the property tests of the codecs and
 * of the transports (each case: a name, its schema, values of it).
 */
import fc from "fast-check";
import { t } from "@svcgen/runtime";
import type { JsonValue, Schema } from "@svcgen/runtime";
import { JobInfoSchema, NodeSchema, ShapeSchema } from "./jobs-module.js";
import type { JobInfo, Node, Shape } from "./jobs-module.js";

/** JSON cannot write -0 (it prints "0"); MessagePack keeps it as a float. */
export const noNegativeZero = (n: number) => (Object.is(n, -0) ? 0 : n);

export const trickyKey = fc.oneof(
  fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty"),
  fc.string({ unit: "binary" }),
);

/** An object with own keys whatever their names (`__proto__` included). */
export function objectOf<V>(entries: [string, V][]): Record<string, V> {
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

export const anyDate = fc.date({
  min: new Date("0000-01-01T00:00:00.000Z"),
  max: new Date("9999-12-31T23:59:59.999Z"),
  noInvalidDate: true,
});
export const int64 = fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n);

export const info: fc.Arbitrary<JobInfo> = fc.record(
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

export const cases: [string, Schema<any>, fc.Arbitrary<unknown>][] = [
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
