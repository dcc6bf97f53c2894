import { describe, expect, test } from "@jest/globals";
import { DecodeError, EncodeError, t } from "@svcgen/runtime";
import type { AnySchema, MapSchema, RecordSchema, Schema, UnionSchema } from "@svcgen/runtime";
import { JobInfoSchema, JobStateSchema, NodeSchema, ShapeSchema } from "./jobs-module.js";
import type { JobInfo, Node } from "./jobs-module.js";

function pointerOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof DecodeError || error instanceof EncodeError) return error.message;
    throw error;
  }
  throw new Error("expected a codec error");
}

const info: JobInfo = {
  id: "j1",
  state: "Running",
  startedAt: new Date("2024-05-01T10:00:00.000Z"),
  tags: ["a", "b"],
};
const infoJson = {
  id: "j1",
  state: "Running",
  startedAt: "2024-05-01T10:00:00.000Z",
  tags: ["a", "b"],
};

describe("records", () => {
  test("round-trip, omitting an absent optional field", () => {
    expect(JobInfoSchema.encode(info)).toEqual(infoJson);
    expect(JobInfoSchema.decode(infoJson)).toEqual(info);
    const { startedAt: _omitted, ...withoutStart } = info;
    const encoded = JobInfoSchema.encode(withoutStart);
    expect(Object.keys(encoded as object)).toEqual(["id", "state", "tags"]);
    expect(JobInfoSchema.decode(encoded)).toEqual(withoutStart);
  });
  test("treat null like absence for optional fields", () => {
    const decoded = JobInfoSchema.decode({ ...infoJson, startedAt: null });
    expect("startedAt" in decoded).toBe(false);
    expect(JobInfoSchema.encode({ ...info, startedAt: null as never })).not.toHaveProperty(
      "startedAt",
    );
  });
  test("ignore unknown fields and build fresh objects with declared keys only", () => {
    const decoded = JobInfoSchema.decode({ ...infoJson, extra: 1, __proto__: null });
    expect(Object.keys(decoded)).toEqual(["id", "state", "startedAt", "tags"]);
    expect(JobInfoSchema.encode({ ...info, extra: 1 } as JobInfo)).toEqual(infoJson);
  });
  test("report the pointer of the first mismatch", () => {
    expect(pointerOf(() => JobInfoSchema.decode({ ...infoJson, tags: ["a", "b", 3] }))).toBe(
      "/tags/2: expected string",
    );
    expect(pointerOf(() => JobInfoSchema.decode({ ...infoJson, id: undefined }))).toBe(
      "/id: required",
    );
    expect(pointerOf(() => JobInfoSchema.decode({ ...infoJson, state: "Done" }))).toBe(
      "/state: expected one of Queued, Running",
    );
    expect(pointerOf(() => JobInfoSchema.decode([]))).toBe("expected object");
    expect(JobInfoSchema.decode(infoJson, "/info")).toEqual(info);
    expect(pointerOf(() => JobInfoSchema.decode({ ...infoJson, tags: [1] }, "/info"))).toBe(
      "/info/tags/0: expected string",
    );
    expect(pointerOf(() => JobInfoSchema.encode({ ...info, tags: ["a", 1 as never] }))).toBe(
      "/tags/1: expected string",
    );
  });
  test("expose their fields for tooling", () => {
    const schema = JobInfoSchema as unknown as RecordSchema;
    expect(schema.kind).toBe("record");
    expect(schema.name).toBe("jobs.JobInfo");
    expect(schema.fields.map((f) => [f.name, f.optional, f.schema.kind])).toEqual([
      ["id", false, "string"],
      ["state", false, "enum"],
      ["startedAt", true, "timestamp"],
      ["tags", false, "list"],
    ]);
  });
  test("may be recursive", () => {
    const tree: Node = {
      label: "root",
      children: [{ label: "leaf", children: [] }],
      next: { label: "sibling", children: [] },
    };
    const json = NodeSchema.encode(tree);
    expect(json).toEqual({
      label: "root",
      children: [{ label: "leaf", children: [] }],
      next: { label: "sibling", children: [] },
    });
    expect(NodeSchema.decode(json)).toEqual(tree);
    expect(
      pointerOf(() => NodeSchema.decode({ label: "r", children: [{ label: "x", children: [7] }] })),
    ).toBe("/children/0/children/0: expected object");
  });
});

describe("records with names that are Object.prototype properties", () => {
  const Weird = t.record<Record<string, unknown>>("x.Weird", () => ({
    ["__proto__"]: t.optional(t.string),
    constructor: t.optional(t.int32),
    prototype: t.optional(t.json),
    "a/b~c": t.optional(t.bool),
  }));

  test("decode them as own properties without touching any prototype", () => {
    const json = JSON.parse(
      '{"__proto__":"p","constructor":3,"prototype":{"polluted":true},"a/b~c":true}',
    );
    const decoded = Weird.decode(json);
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded)).toEqual(["__proto__", "constructor", "prototype", "a/b~c"]);
    expect(Object.getOwnPropertyDescriptor(decoded, "__proto__")?.value).toBe("p");
    expect(decoded["constructor"]).toBe(3);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(Weird.encode(decoded)).toEqual(json);
    expect(JSON.stringify(Weird.encode(decoded))).toBe(JSON.stringify(json));
  });
  test("never read inherited values as present", () => {
    expect(Weird.decode({})).toEqual({});
    expect(Object.keys(Weird.decode({}))).toEqual([]);
    expect(Weird.encode({})).toEqual({});
    expect(Object.keys(Weird.encode({}) as object)).toEqual([]);
  });
  test("escape ~ and / in pointers", () => {
    expect(pointerOf(() => Weird.decode({ "a/b~c": 1 }))).toBe("/a~1b~0c: expected bool");
    expect(pointerOf(() => Weird.decode(JSON.parse('{"__proto__":1}')))).toBe(
      "/__proto__: expected string",
    );
  });
});

describe("lists and maps", () => {
  const Scores = t.map(t.list(t.int32));
  test("round-trip", () => {
    const value = { alice: [1, 2], bob: [] };
    expect(Scores.encode(value)).toEqual(value);
    expect(Scores.decode(value)).toEqual(value);
    expect(t.list(t.int64).encode([1n, -2n])).toEqual(["1", "-2"]);
  });
  test("store __proto__, constructor and prototype keys as plain own entries", () => {
    const json = JSON.parse('{"__proto__":[1],"constructor":[2],"prototype":[3],"toString":[]}');
    const decoded = Scores.decode(json);
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded)).toEqual(["__proto__", "constructor", "prototype", "toString"]);
    expect(Object.getOwnPropertyDescriptor(decoded, "__proto__")?.value).toEqual([1]);
    expect(decoded["constructor"]).toEqual([2]);
    expect(JSON.stringify(Scores.encode(decoded))).toBe(JSON.stringify(json));
  });
  test("encode own keys only", () => {
    const withInherited = Object.create({ inherited: [9] }) as Record<string, number[]>;
    withInherited["own"] = [1];
    expect(Scores.encode(withInherited)).toEqual({ own: [1] });
  });
  test("report pointers with escaped keys", () => {
    expect(pointerOf(() => Scores.decode({ "x/y": [1, "2"] }))).toBe("/x~1y/1: expected int32");
    expect(pointerOf(() => Scores.decode([]))).toBe("expected object");
    expect(pointerOf(() => t.list(t.string).decode({}))).toBe("expected array");
    expect(pointerOf(() => Scores.encode(new Map() as never))).toBe("expected object");
  });
});

describe("enums", () => {
  test("travel as member names", () => {
    expect(JobStateSchema.decode("Queued")).toBe("Queued");
    expect(JobStateSchema.encode("Running")).toBe("Running");
    expect(pointerOf(() => JobStateSchema.decode("queued"))).toBe(
      "expected one of Queued, Running",
    );
    expect(pointerOf(() => JobStateSchema.encode("Done" as never))).toBe(
      "expected one of Queued, Running",
    );
    expect(JobStateSchema.members).toEqual(["Queued", "Running"]);
    expect(JobStateSchema.name).toBe("jobs.JobState");
  });
});

describe("unions", () => {
  test("travel as an object with exactly one key, the case name", () => {
    expect(ShapeSchema.encode({ case: "circle", value: 2 })).toEqual({ circle: 2 });
    expect(ShapeSchema.decode({ square: 3 })).toEqual({ case: "square", value: 3 });
    expect(ShapeSchema.encode({ case: "square", value: NaN })).toEqual({ square: "NaN" });
  });
  test("reject no key, two keys, unknown cases and bad values", () => {
    const expected = "expected object with exactly one key of circle, square";
    expect(pointerOf(() => ShapeSchema.decode({}))).toBe(expected);
    expect(pointerOf(() => ShapeSchema.decode({ circle: 1, square: 2 }))).toBe(expected);
    expect(pointerOf(() => ShapeSchema.decode({ triangle: 1 }))).toBe(expected);
    expect(pointerOf(() => ShapeSchema.decode(JSON.parse('{"__proto__":1}')))).toBe(expected);
    expect(pointerOf(() => ShapeSchema.decode({ circle: "x" }))).toBe("/circle: expected float64");
    expect(pointerOf(() => ShapeSchema.encode({ case: "triangle" } as never))).toBe(
      "expected { case, value } with case one of circle, square",
    );
  });
  test("expose their cases for tooling and may be recursive", () => {
    type Expr = { case: "lit"; value: number } | { case: "sum"; value: Expr[] };
    const ExprSchema: ReturnType<typeof t.union<Expr>> = t.union<Expr>("x.Expr", () => ({
      lit: t.int32,
      sum: t.list(ExprSchema),
    }));
    const expr: Expr = {
      case: "sum",
      value: [
        { case: "lit", value: 1 },
        { case: "sum", value: [] },
      ],
    };
    expect(ExprSchema.encode(expr)).toEqual({ sum: [{ lit: 1 }, { sum: [] }] });
    expect(ExprSchema.decode({ sum: [{ lit: 1 }, { sum: [] }] })).toEqual(expr);
    const schema = ExprSchema as unknown as UnionSchema;
    expect(schema.cases.map((c) => [c.name, c.schema.kind])).toEqual([
      ["lit", "int32"],
      ["sum", "list"],
    ]);
  });
});

describe("schemas as values for tooling", () => {
  test("every schema kind is an AnySchema", () => {
    const all: AnySchema[] = [
      JobInfoSchema,
      ShapeSchema,
      JobStateSchema,
      NodeSchema,
      t.list(t.int32),
      t.map(t.string),
      t.bool,
      t.json,
    ];
    expect(all.map((schema) => schema.kind)).toEqual([
      "record",
      "union",
      "enum",
      "record",
      "list",
      "map",
      "bool",
      "json",
    ]);
    const list = t.list(t.map(t.bytes));
    expect(list.element.kind).toBe("map");
    expect((list.element as MapSchema).value).toBe(t.bytes);
  });

  test("a member that is not a schema is named when first used", () => {
    const Broken = t.record<object>("x.Broken", () => ({ ok: t.string, bad: undefined as never }));
    expect(() => Broken.decode({})).toThrow("x.Broken.bad is not a schema");
    const BrokenUnion = t.union<object>("x.U", () => ({ a: null as never }));
    expect(() => BrokenUnion.encode({})).toThrow("x.U.a is not a schema");
    expect(() => t.list(undefined as never)).toThrow("t.list: not a schema");
    expect(() => t.map(undefined as never)).toThrow("t.map: not a schema");
  });

  test("hand-written schemas compose with t and keep their pointers", () => {
    const even: Schema<number> = {
      kind: "int32",
      encode: (value) => value,
      decode: (json, pointer = "") => {
        if (typeof json === "number" && json % 2 === 0) return json;
        throw new DecodeError(pointer, "even number");
      },
    };
    const Pair = t.record<{ values: number[] }>("x.Pair", () => ({ values: t.list(even) }));
    expect(Pair.decode({ values: [2, 4] })).toEqual({ values: [2, 4] });
    expect(pointerOf(() => Pair.decode({ values: [2, 3] }))).toBe(
      "/values/1: expected even number",
    );
  });
});
