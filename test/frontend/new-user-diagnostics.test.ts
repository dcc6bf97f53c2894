/**
 * Diagnostics that a new user tripped on: each mistake gets one precise error, at the place
 * the user is looking, with a suggestion when a name is nearly right.
 */
import { afterEach, describe, expect, test } from "@jest/globals";
import path from "node:path";
import { loadProgram } from "svcgen";
import { main } from "../../packages/svcgen/src/cli.js";
import { editDistance, nearestName } from "../../packages/svcgen/src/model/nearest.js";
import { tempTree } from "./helpers.js";

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function tree(files: Record<string, string>) {
  const made = await tempTree(files);
  cleanup = made.remove;
  return made;
}

async function diagnosticsOf(files: Record<string, string>, ...inputs: string[]) {
  const t = await tree(files);
  const program = await loadProgram(inputs.map(t.path));
  return program.diagnostics.map((d) => ({
    file: path.relative(t.root, d.file),
    line: d.line,
    column: d.column,
    code: d.code,
    message: d.message.split(t.root + path.sep).join(""),
  }));
}

describe("an import cycle", () => {
  const cycle = {
    "a.svc": 'package a;\nimport "b.svc";\nrecord A {}\n',
    "b.svc": 'package b;\nimport "c.svc";\nrecord B {}\n',
    "c.svc": 'package c;\nimport "a.svc";\nrecord C {}\n',
  };

  test("is reported at the import of the file asked to be checked", async () => {
    expect(await diagnosticsOf(cycle, "b.svc")).toEqual([
      {
        file: "b.svc",
        line: 2,
        column: 8,
        code: "SVC2002",
        message: "import cycle: b.svc → c.svc → a.svc → b.svc",
      },
    ]);
    expect(await diagnosticsOf(cycle, "c.svc")).toEqual([
      {
        file: "c.svc",
        line: 2,
        column: 8,
        code: "SVC2002",
        message: "import cycle: c.svc → a.svc → b.svc → c.svc",
      },
    ]);
  });

  test("of several files on the command line, at the first of the cycle reached", async () => {
    const found = await diagnosticsOf(cycle, "c.svc", "a.svc");
    expect(found.map((d) => [d.file, d.line])).toEqual([["c.svc", 2]]);
  });

  test("a file that imports itself", async () => {
    expect(await diagnosticsOf({ "self.svc": 'import "self.svc";\n' }, "self.svc")).toEqual([
      {
        file: "self.svc",
        line: 1,
        column: 8,
        code: "SVC2002",
        message: "import cycle: self.svc → self.svc",
      },
    ]);
  });
});

describe("suggestions for unknown names", () => {
  test("cross case and small edits alike", async () => {
    const source = [
      "record Point { x: float64; }",
      "record R {",
      "  a: Flaot64;",
      "  b: flaot64;",
      "  c: point;",
      "  d: Pionts;",
      "  e: STRING;",
      "  f: Nothing;",
      "}",
    ].join("\n");
    const found = await diagnosticsOf({ "r.svc": source }, "r.svc");
    expect(found.map((d) => d.message)).toEqual([
      'unknown type "Flaot64"; did you mean "float64"?',
      'unknown type "flaot64"; did you mean "float64"?',
      'unknown type "point"; did you mean "Point"?',
      'unknown type "Pionts"; did you mean "Point"?',
      'unknown type "STRING"; did you mean "string"?',
      'unknown type "Nothing"',
    ]);
  });

  test("a swap of two neighbouring letters is one edit; a matching case wins a tie", () => {
    expect(editDistance("flaot", "float")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(nearestName("Iten", ["item", "Item"])).toBe("Item");
    expect(nearestName("Zebra", ["float64", "Point"])).toBeUndefined();
  });
});

describe("a missing colon", () => {
  test("before a method's return type: one error, expecting the colon", async () => {
    const source = [
      "record Item {}",
      "error Missing {}",
      "interface Shop {",
      "  get(id: string) Item throws Missing;",
      "  list(): Item[];",
      "}",
    ].join("\n");
    expect(await diagnosticsOf({ "shop.svc": source }, "shop.svc")).toEqual([
      {
        file: "shop.svc",
        line: 4,
        column: 19,
        code: "SVC1001",
        message: 'expected ":" but found "Item"',
      },
    ]);
  });

  test("in a field or a parameter: one error, expecting the colon", async () => {
    const source = [
      "record Item {",
      "  price float64;",
      "  tags?: string[];",
      "}",
      "interface Shop {",
      "  find(query string): Item[];",
      "}",
    ].join("\n");
    expect((await diagnosticsOf({ "shop.svc": source }, "shop.svc")).map((d) => d.message)).toEqual(
      ['expected ":" but found "float64"', 'expected ":" but found "string"'],
    );
  });
});

describe("text output", () => {
  async function run(...argv: string[]) {
    let stdout = "";
    let stderr = "";
    const code = await main(argv, {
      stdout: (text) => void (stdout += text),
      stderr: (text) => void (stderr += text),
    });
    return { code, stdout, stderr };
  }

  test("prints the stable code after the severity, as compilers do", async () => {
    const t = await tree({ "a.svc": 'import "missing.svc";\n' });
    const result = await run("check", t.path("a.svc"));
    expect(result.code).toBe(1);
    expect(result.stdout.split("\n")[0]).toBe(
      `${t.path("a.svc")}:1:8: error SVC2001: cannot find imported file "missing.svc" ` +
        `(looked for ${t.path("missing.svc")})`,
    );
  });

  test("generate prints one line on success: files written and unchanged", async () => {
    const t = await tree({ "a.svc": "package a;\nrecord A {}\n", "b.svc": "record B {}\n" });
    const out = t.path("out");
    const first = await run("generate", t.path("a.svc"), t.path("b.svc"), "--out", out);
    expect(first).toEqual({
      code: 0,
      stdout: `svcgen: 2 files written, 0 unchanged in ${out}\n`,
      stderr: "",
    });
    const second = await run("generate", t.path("a.svc"), t.path("b.svc"), "--out", out);
    expect(second.stdout).toBe(`svcgen: 0 files written, 2 unchanged in ${out}\n`);
  });
});
