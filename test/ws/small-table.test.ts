import { describe, expect, test } from "@jest/globals";
import { SmallTable } from "../../packages/runtime/src/server/small-table.js";

describe("SmallTable", () => {
  test("one entry inline, a second and more in order; get, delete and size agree", () => {
    const table = new SmallTable<string | number, string>();
    expect(table.size).toBe(0);
    expect(table.values()).toEqual([]);
    table.set("a", "A");
    table.set("a", "A2"); // same id: replaced, still one
    expect([table.size, table.get("a"), table.get("b")]).toEqual([1, "A2", undefined]);
    table.set("b", "B");
    table.set("c", "C");
    expect(table.values()).toEqual(["A2", "B", "C"]);
    table.delete("b");
    expect([table.size, table.get("b"), table.get("c")]).toEqual([2, undefined, "C"]);
    table.delete("a");
    table.delete("c");
    expect([table.size, table.values()]).toEqual([0, []]);
  });

  test('request ids 1 and "1" are different keys, inline and in the map alike', () => {
    const table = new SmallTable<string | number, string>();
    table.set(1, "number");
    expect([table.has(1), table.has("1")]).toEqual([true, false]);
    table.set("1", "string");
    expect([table.get(1), table.get("1"), table.size]).toEqual(["number", "string", 2]);
    table.delete(1);
    expect([table.has(1), table.get("1")]).toEqual([false, "string"]);
  });

  test("values() is a copy: deleting while iterating visits every entry once", () => {
    const table = new SmallTable<string | number, string>();
    for (const id of ["x", "y", "z"]) table.set(id, id);
    const seen: string[] = [];
    for (const value of table.values()) {
      seen.push(value);
      table.delete(value);
    }
    expect(seen).toEqual(["x", "y", "z"]);
    expect(table.size).toBe(0);
    const single = new SmallTable<string | number, string>();
    single.set("only", "only");
    for (const value of single.values()) single.delete(value);
    expect(single.size).toBe(0);
  });
});
