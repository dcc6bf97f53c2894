import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { DecodeError, ErrorCode, RpcError, decodeParams, t } from "@svcgen/runtime";
import type { JsonValue, Schema } from "@svcgen/runtime";
import { JobInfoSchema, JobServiceDescriptor, NodeSchema, ShapeSchema } from "./jobs-module.js";
import type { JobInfo, Node, Shape } from "./jobs-module.js";
import { objectOf } from "./wire-arbitraries.js";

/** What a peer sees: the encoded value serialized and parsed again. */
function overTheWire<T>(schema: Schema<T>, value: T): T {
  return schema.decode(JSON.parse(JSON.stringify(schema.encode(value))));
}

function roundTrips<T>(schema: Schema<T>, values: fc.Arbitrary<T>): void {
  fc.assert(
    fc.property(values, (value) => {
      expect(overTheWire(schema, value)).toEqual(value);
    }),
  );
}

/** Keys that have hurt JSON decoders before, mixed with ordinary ones. */
const trickyKey = fc.oneof(
  fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty"),
  fc.constantFrom("id", "state", "tags", "label", "children", "next", "circle", "square"),
  fc.string(),
);

const { json: randomJson } = fc.letrec<{ json: JsonValue }>((tie) => ({
  json: fc.oneof(
    { maxDepth: 4, withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n)),
    fc.string(),
    fc.constantFrom(
      "NaN",
      "Infinity",
      "aGk=",
      "2024-01-01T00:00:00Z",
      "Queued",
      "9007199254740993",
    ),
    fc.array(tie("json"), { maxLength: 4 }),
    fc.array(fc.tuple(trickyKey, tie("json")), { maxLength: 4 }).map(objectOf),
  ),
}));

describe("round-trips of arbitrary values", () => {
  const primitives: [string, Schema<any>, fc.Arbitrary<unknown>][] = [
    ["bool", t.bool, fc.boolean()],
    ["int32", t.int32, fc.integer().map((n) => n || 0)],
    ["int64", t.int64, fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n)],
    ["float64", t.float64, fc.double().map((n) => (Object.is(n, -0) ? 0 : n))],
    ["string", t.string, fc.string({ unit: "binary" })],
    ["bytes", t.bytes, fc.uint8Array({ maxLength: 64 })],
    [
      "timestamp",
      t.timestamp,
      fc.date({
        min: new Date("0000-01-01T00:00:00.000Z"),
        max: new Date("9999-12-31T23:59:59.999Z"),
        noInvalidDate: true,
      }),
    ],
  ];
  test.each(primitives)("%s", (_name, schema, values) => roundTrips(schema, values));

  test("json values, including awkward keys", () => {
    fc.assert(
      fc.property(randomJson, (value) => {
        const parsed = JSON.parse(JSON.stringify(value));
        expect(JSON.stringify(overTheWire(t.json, parsed))).toBe(JSON.stringify(parsed));
      }),
    );
  });

  test("lists and maps, including awkward keys", () => {
    const schema = t.map(t.list(t.int64));
    const values = fc
      .array(fc.tuple(trickyKey, fc.array(fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n))), {
        maxLength: 5,
      })
      .map(objectOf);
    fc.assert(
      fc.property(values, (value) => {
        const back = overTheWire(schema, value);
        expect(Object.keys(back)).toEqual(Object.keys(value));
        for (const key of Object.keys(value)) {
          expect(Object.getOwnPropertyDescriptor(back, key)?.value).toEqual(value[key]);
        }
      }),
    );
  });

  test("records, recursive records and unions", () => {
    const info: fc.Arbitrary<JobInfo> = fc.record(
      {
        id: fc.string(),
        state: fc.constantFrom("Queued", "Running"),
        startedAt: fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }),
        tags: fc.array(fc.string()),
      },
      { requiredKeys: ["id", "state", "tags"] },
    );
    roundTrips(JobInfoSchema, info);

    const { node } = fc.letrec<{ node: Node }>((tie) => ({
      node: fc.oneof(
        { maxDepth: 4 },
        fc.record({ label: fc.string(), children: fc.constant<Node[]>([]) }),
        fc.record(
          {
            label: fc.string(),
            children: fc.array(tie("node"), { maxLength: 3 }),
            next: tie("node"),
          },
          { requiredKeys: ["label", "children"] },
        ),
      ),
    }));
    roundTrips(NodeSchema, node);

    const shape: fc.Arbitrary<Shape> = fc.oneof(
      fc.double().map((value) => ({ case: "circle" as const, value: value || 0 })),
      fc.double().map((value) => ({ case: "square" as const, value: value || 0 })),
    );
    roundTrips(ShapeSchema, shape);
  });
});

describe("timestamps", () => {
  const anyDate = fc.date({
    min: new Date("0000-01-01T00:00:00.000Z"),
    max: new Date("9999-12-31T23:59:59.999Z"),
    noInvalidDate: true,
  });

  test("encode exactly as toISOString", () => {
    fc.assert(
      fc.property(anyDate, (date) => {
        expect(t.timestamp.encode(date)).toBe(date.toISOString());
      }),
    );
  });

  test("decode the same instant written with any offset and fraction length", () => {
    const pad = (n: number) => String(n).padStart(2, "0");
    fc.assert(
      fc.property(
        fc.date({ min: new Date("1000-01-01"), max: new Date("9000-01-01"), noInvalidDate: true }),
        fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
        fc.integer({ min: 1, max: 9 }),
        (date, offset, fractionDigits) => {
          const local = new Date(date.getTime() + offset * 60_000).toISOString();
          const fraction = local.slice(20, 23).padEnd(fractionDigits, "7").slice(0, fractionDigits);
          const sign = offset < 0 ? "-" : "+";
          const zone = `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
          const text = `${local.slice(0, 19)}.${fraction}${zone}`;
          const millis = Number(fraction.slice(0, 3).padEnd(3, "0"));
          const expected = date.getTime() - date.getUTCMilliseconds() + millis;
          expect(t.timestamp.decode(text).getTime()).toBe(expected);
        },
      ),
    );
  });
});

describe("random input", () => {
  const schemas: [string, Schema<unknown>][] = [
    ["JobInfo", JobInfoSchema],
    ["Node", NodeSchema],
    ["Shape", ShapeSchema],
    ["json", t.json],
    ["map", t.map(t.json)],
    ["list", t.list(t.bytes)],
    ["int64", t.int64],
    ["timestamp", t.timestamp],
    ["float64", t.float64],
  ];

  test.each(schemas)("%s: only ever DecodeError, and no prototype pollution", (_name, schema) => {
    fc.assert(
      fc.property(randomJson, (value) => {
        const parsed: unknown = JSON.parse(JSON.stringify(value));
        try {
          const decoded = schema.decode(parsed);
          if (typeof decoded === "object" && decoded !== null) {
            const prototype = Object.getPrototypeOf(decoded);
            expect([
              Object.prototype,
              Array.prototype,
              Uint8Array.prototype,
              Date.prototype,
            ]).toContain(prototype);
          }
        } catch (error) {
          expect(error).toBeInstanceOf(DecodeError);
        }
        expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames);
        expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
      }),
    );
  });
});

describe("random parameters", () => {
  test("decodeParams fails only with invalid params (-32602) listing pointers", () => {
    const methods = [...JobServiceDescriptor.methods.values()];
    const resolve = (id: string) => ({ proxy: id });
    fc.assert(
      fc.property(fc.constantFrom(...methods), randomJson, (method, value) => {
        const params: unknown = JSON.parse(JSON.stringify(value));
        try {
          const args = decodeParams(method, params, resolve);
          expect(args).toHaveLength(method.params.length);
        } catch (error) {
          expect(error).toBeInstanceOf(RpcError);
          expect((error as RpcError).code).toBe(ErrorCode.InvalidParams);
          const errors = ((error as RpcError).data as { errors: unknown[] }).errors;
          expect(errors.length).toBeGreaterThan(0);
        }
        expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames);
      }),
    );
  });
});

const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();
