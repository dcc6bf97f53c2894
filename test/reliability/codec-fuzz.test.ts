/**
 * Codecs on random JSON: a decoder either returns a value or throws DecodeError (never a
 * TypeError, RangeError or stack overflow), a decoded value re-encodes to JSON that decodes
 * to the same value, and no input, however it spells `__proto__`, `constructor` or
 * `prototype`, reaches Object.prototype or gives a decoded object a foreign prototype.
 */
import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import {
  DecodeError,
  RpcError,
  decodeParams,
  defineService,
  t,
  type JsonValue,
  type Schema,
} from "@svcgen/runtime";
import { fuzzRuns, fuzzTimeout } from "./fuzz-runs.js";

const hostileKeys = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty"];

interface Tree {
  label: string;
  children: Tree[];
}
const TreeSchema: Schema<Tree> = t.record<Tree>("fuzz.Tree", () => ({
  label: t.string,
  children: t.list(TreeSchema),
}));

/** A record whose field names are the dangerous ones. */
const HostileSchema = t.record<Record<string, unknown>>("fuzz.Hostile", () => ({
  ["__proto__"]: t.optional(t.json),
  constructor: t.optional(t.string),
  prototype: t.optional(t.map(t.int32)),
  plain: t.optional(t.int64),
}));

const ShapeSchema = t.union<unknown>("fuzz.Shape", () => ({
  circle: t.float64,
  ["__proto__"]: t.string,
  constructor: t.list(t.bool),
}));

const schemas: Record<string, Schema<any>> = {
  bool: t.bool,
  int32: t.int32,
  int64: t.int64,
  float64: t.float64,
  string: t.string,
  bytes: t.bytes,
  timestamp: t.timestamp,
  json: t.json,
  list: t.list(t.int32),
  map: t.map(t.json),
  nested: t.map(t.list(t.map(t.timestamp))),
  enum: t.enum("fuzz.Color", ["red", "__proto__", "constructor"]),
  tree: TreeSchema,
  hostile: HostileSchema,
  union: ShapeSchema,
};

const FuzzService = defineService<any>({
  name: "fuzz.Service",
  contractHash: "f".repeat(64),
  methods: [
    {
      name: "call",
      params: [
        { name: "tree", schema: TreeSchema },
        { name: "__proto__", schema: t.json, optional: true },
        { name: "constructor", schema: t.map(t.string), optional: true },
      ],
    },
  ],
});

/** Random JSON, with the dangerous keys made likely and present as own properties. */
const hostileJson: fc.Arbitrary<unknown> = fc
  .letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.constantFrom(null, true, false, 0, -1, 2 ** 31, 1.5, "", "NaN", "Infinity", "AAAA"),
      fc.integer(),
      fc.double(),
      fc.string({ maxLength: 8 }),
      fc.constantFrom("1970-01-01T00:00:00.000Z", "2024-02-30T25:00:00Z", "-9007199254740993"),
      fc.array(tie("value"), { maxLength: 4 }),
      fc.dictionary(
        fc.oneof(
          fc.constantFrom(...hostileKeys, "label", "children", "circle"),
          fc.string({ maxLength: 4 }),
        ),
        tie("value"),
        { maxKeys: 4 },
      ),
    ),
  }))
  .value.map((value) => JSON.parse(JSON.stringify(value)) as unknown);

/** Every object in a decoded value has an ordinary prototype, never one from the input. */
function assertOrdinary(value: unknown, seen = new Set<unknown>()): void {
  if (value === null || typeof value !== "object" || seen.has(value)) return;
  seen.add(value);
  const prototype = Object.getPrototypeOf(value);
  const ordinary = [null, Object.prototype, Array.prototype, Date.prototype, Uint8Array.prototype];
  expect(ordinary).toContain(prototype);
  for (const key of Reflect.ownKeys(value)) assertOrdinary((value as any)[key], seen);
}

function assertPrototypeClean(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(pristine);
  expect(({} as any).polluted).toBeUndefined();
}
const pristine = Object.getOwnPropertyNames(Object.prototype).sort();

describe("codecs under fuzzing", () => {
  test.each(Object.keys(schemas))(
    "%s: random JSON decodes or throws DecodeError, and decoded values round-trip",
    (name) => {
      const schema = schemas[name]!;
      fc.assert(
        fc.property(hostileJson, (json) => {
          let decoded: unknown;
          try {
            decoded = schema.decode(json);
          } catch (error) {
            expect(error).toBeInstanceOf(DecodeError);
            expect(typeof (error as DecodeError).pointer).toBe("string");
            return;
          } finally {
            assertPrototypeClean();
          }
          assertOrdinary(decoded);
          const again = schema.decode(JSON.parse(JSON.stringify(schema.encode(decoded))));
          expect(again).toEqual(decoded);
        }),
        { numRuns: fuzzRuns(150) },
      );
    },
    fuzzTimeout(20_000),
  );

  test(
    "decodeParams on random params answers with values or an invalid-params RpcError",
    () => {
      const method = FuzzService.methods.get("call")!;
      fc.assert(
        fc.property(hostileJson, (params) => {
          try {
            assertOrdinary(decodeParams(method, params));
          } catch (error) {
            expect(error).toBeInstanceOf(RpcError);
            expect((error as RpcError).code).toBe(-32602);
          }
          assertPrototypeClean();
        }),
        { numRuns: fuzzRuns(300) },
      );
    },
    fuzzTimeout(20_000),
  );

  test("deeply nested JSON is rejected or decoded without a stack overflow", () => {
    let deep: unknown = { label: "leaf", children: [] };
    for (let i = 0; i < 20_000; i++) deep = { label: String(i), children: [deep] };
    for (const schema of [TreeSchema, t.json, t.map(t.json)]) {
      try {
        schema.decode(deep);
      } catch (error) {
        expect(error).toBeInstanceOf(DecodeError);
      }
    }
  });

  test("a `__proto__` key in JSON text stays data in json, map and record values", () => {
    const text = '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}}}';
    for (const schema of [t.json, t.map(t.json)]) {
      const decoded = schema.decode(JSON.parse(text)) as Record<string, JsonValue>;
      expect(Object.getPrototypeOf(decoded)).not.toEqual({ polluted: 1 });
      expect((decoded as any).polluted).toBeUndefined();
      expect(Object.getOwnPropertyDescriptor(decoded, "__proto__")?.value).toEqual({ polluted: 1 });
      expect(JSON.stringify(schema.encode(decoded))).toBe(text);
    }
    const record = HostileSchema.decode(JSON.parse('{"__proto__":{"polluted":1},"plain":"7"}'));
    expect((record as any).polluted).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(record, "__proto__")?.value).toEqual({ polluted: 1 });
    assertPrototypeClean();
  });
});
