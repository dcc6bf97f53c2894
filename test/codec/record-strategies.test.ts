/**
 * Records compile to generated straight-line code where `new Function` is allowed and to a
 * loop where it is not (browsers with a strict Content Security Policy). Both must behave
 * identically; this runs the same checks against each.
 */
import { afterAll, describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { DecodeError, EncodeError, t } from "@svcgen/runtime";
import { useCodeGeneration } from "../../packages/runtime/src/codec/record-codec.js";

const hostileNames = [
  "__proto__",
  "constructor",
  "prototype",
  'quote"d',
  "back\\slash",
  "line\u2028separator",
  "new\nline",
  "'); throw 1; ('",
  "${injected}",
  "a/b~c",
  "",
];

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof DecodeError || error instanceof EncodeError) return error.message;
    throw error;
  }
  throw new Error("expected a codec error");
}

afterAll(() => useCodeGeneration(undefined));

describe.each([
  ["generated code", true],
  ["interpreted loop", false],
])("records compiled as %s", (_name, generated) => {
  function build() {
    useCodeGeneration(generated);
    const Hostile = t.record<Record<string, unknown>>("x.Hostile", () =>
      Object.fromEntries(hostileNames.map((name) => [name, t.optional(t.int32)])),
    );
    const Item = t.record<{ id: string; at?: Date; extra: unknown }>("x.Item", () => ({
      id: t.string,
      at: t.optional(t.timestamp),
      extra: t.json,
    }));
    const Outer = t.record<{ items: unknown[]; hostile: Record<string, unknown> }>(
      "x.Outer",
      () => ({ items: t.list(Item), hostile: Hostile }),
    );
    // Compile every record now, while the strategy is selected.
    Outer.decode({ items: [{ id: "a", extra: null }], hostile: {} });
    return { Hostile, Item, Outer };
  }

  test("round-trips fields whatever their names", () => {
    const { Hostile } = build();
    fc.assert(
      fc.property(fc.subarray(hostileNames), fc.integer({ min: -5, max: 5 }), (names, n) => {
        const json = JSON.parse(JSON.stringify(Object.fromEntries(names.map((k) => [k, n]))));
        // Object.fromEntries defines own properties, so "__proto__" survives as a key.
        const decoded = Hostile.decode(json);
        expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
        expect(Object.keys(decoded).sort()).toEqual([...names].sort());
        expect(JSON.stringify(Hostile.encode(decoded))).toBe(
          JSON.stringify(
            Object.fromEntries(hostileNames.filter((k) => names.includes(k)).map((k) => [k, n])),
          ),
        );
      }),
    );
    expect(Object.keys(Hostile.decode({}))).toEqual([]);
    expect(Object.keys(Hostile.encode({}) as object)).toEqual([]);
  });

  test("omits absent and null optional fields but keeps null json values", () => {
    const { Item } = build();
    expect(Item.decode({ id: "a", at: null, extra: null })).toEqual({ id: "a", extra: null });
    expect("at" in Item.decode({ id: "a", extra: 1 })).toBe(false);
    expect(Item.encode({ id: "a", at: undefined, extra: null })).toEqual({ id: "a", extra: null });
    expect(messageOf(() => Item.decode({ id: "a" }))).toBe("/extra: required");
  });

  test("reports the pointer of the first mismatch", () => {
    const { Outer } = build();
    const items = [
      { id: "a", extra: 1 },
      { id: "b", at: "yesterday", extra: 1 },
    ];
    expect(messageOf(() => Outer.decode({ items, hostile: {} }))).toBe(
      "/items/1/at: expected RFC 3339 timestamp",
    );
    expect(messageOf(() => Outer.decode({ items: [], hostile: { "a/b~c": "1" } }))).toBe(
      "/hostile/a~1b~0c: expected int32",
    );
    expect(
      messageOf(() => Outer.decode({ items: [], hostile: JSON.parse('{"__proto__":1.5}') })),
    ).toBe("/hostile/__proto__: expected int32");
    expect(messageOf(() => Outer.decode({ items: [] }))).toBe("/hostile: required");
    expect(messageOf(() => Outer.decode(null))).toBe("expected object");
    expect(messageOf(() => Outer.encode({ items: [{ id: 1 }], hostile: {} }))).toBe(
      "/items/0/id: expected string",
    );
  });
});
