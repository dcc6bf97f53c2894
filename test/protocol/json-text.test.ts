/** protocol/json-text.ts: the one nesting limit, counted on the text before parsing. */
import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import {
  NestedTooDeeply,
  nestedTooDeeply,
  parseJsonText,
  stringifyJson,
} from "../../packages/runtime/src/protocol/json-text.js";

/** Nesting of arrays and objects, counted on the value (recursively: test values are small). */
function depthOf(value: unknown): number {
  if (typeof value !== "object" || value === null) return 0;
  const children = Object.values(value as object);
  return 1 + Math.max(0, ...children.map(depthOf));
}

describe("nestedTooDeeply", () => {
  test("agrees with the depth of the parsed value, for any JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 9 }), (value, limit) => {
        const text = JSON.stringify(value);
        expect(nestedTooDeeply(text, limit)).toBe(depthOf(value) > limit);
      }),
      { numRuns: 500 },
    );
  });

  test("counts objects and arrays alike, and nothing inside strings", () => {
    expect(nestedTooDeeply('{"a":[{"b":[]}]}', 3)).toBe(true);
    expect(nestedTooDeeply('{"a":[{"b":[]}]}', 4)).toBe(false);
    const tricky = JSON.stringify({ s: '[[[[\\"{{{{' + '"'.repeat(3) + "\\" });
    expect(nestedTooDeeply(tricky, 1)).toBe(false);
    expect(nestedTooDeeply(`["\\\\",[[]]]`, 2)).toBe(true);
  });

  test("a million levels are scanned without recursion", () => {
    const text = "[".repeat(1_000_000) + "]".repeat(1_000_000);
    expect(nestedTooDeeply(text, 1_000_000)).toBe(false);
    expect(nestedTooDeeply(text, 999_999)).toBe(true);
  });
});

describe("parseJsonText", () => {
  test("within the limit it is JSON.parse", () => {
    expect(parseJsonText('{"a":[1,{"b":"]"}]}', 3)).toEqual({
      value: { a: [1, { b: "]" }] },
      tooDeep: false,
    });
  });

  test("beyond it the deep parts are cut out and the envelope stays readable", () => {
    const deep = "[".repeat(500_000) + '"x"' + "]".repeat(500_000);
    const text = `{"jsonrpc":"2.0","id":7,"params":{"a":${deep},"b":"[["},"method":"m"}`;
    expect(parseJsonText(text, 4)).toEqual({
      value: { jsonrpc: "2.0", id: 7, params: { a: [[null]], b: "[[" }, method: "m" },
      tooDeep: true,
    });
  });

  test("malformed text is a SyntaxError, deep or not", () => {
    expect(() => parseJsonText("{", 100)).toThrow(SyntaxError);
    expect(() => parseJsonText("[".repeat(300), 100)).toThrow(SyntaxError);
  });
});

describe("stringifyJson", () => {
  test("refuses what the peer would refuse, and what would overflow the stack", () => {
    expect(stringifyJson([[1]], 2)).toBe("[[1]]");
    expect(() => stringifyJson([[[1]]], 2)).toThrow(NestedTooDeeply);
    let deep: unknown = [];
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(() => stringifyJson(deep, 100)).toThrow(NestedTooDeeply);
  });

  test("what JSON cannot hold is a TypeError", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    expect(() => stringifyJson(cyclic, 100)).toThrow(TypeError);
    expect(() => stringifyJson({ n: 1n }, 100)).toThrow(TypeError);
  });
});
