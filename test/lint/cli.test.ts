/** `svcgen lint` as a user runs it: output, exit codes, configs, suppressions, what is linted. */
import { afterEach, describe, expect, test } from "@jest/globals";
import path from "node:path";
import { runCli, tempTree } from "../frontend/helpers.js";

const repository = path.resolve(import.meta.dirname, "../..");

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((remove) => remove()));
});

async function tree(files: Record<string, string>) {
  const made = await tempTree(files);
  cleanups.push(made.remove);
  return made;
}

/** `svcgen lint --format json` → [code, line] pairs per file (relative to the tree). */
async function lintJson(root: string, ...args: string[]) {
  const result = await runCli("lint", "--format", "json", ...args);
  const found = JSON.parse(result.stdout || "[]") as {
    file: string;
    line: number;
    code: string;
    severity: string;
  }[];
  return {
    code: result.code,
    stderr: result.stderr,
    found: found.map((d) => [path.relative(root, d.file), d.code, d.line]),
  };
}

const documented = `/// Orders.
package shop;

/// Orders of the shop.
interface Orders {
  /// Places an order; returns its id.
  place(sku: string): string;
}
`;

describe("svcgen lint", () => {
  test("text output: path:line:column, severity, code, message, the line and carets", async () => {
    const t = await tree({
      "shop.svc": "package shop;\n\nrecord order_line {\n  sku: string;\n}\n",
    });
    const result = await runCli("lint", t.path("shop.svc"));
    expect(result).toEqual({
      code: 0,
      stderr: "",
      stdout:
        `${t.path("shop.svc")}:3:8: warning SVC4001: record "order_line" should be named in PascalCase ("OrderLine")\n` +
        "record order_line {\n" +
        "       ^^^^^^^^^^\n",
    });
  });

  test("a clean file prints nothing and exits 0, even with --strict", async () => {
    const t = await tree({ "shop.svc": documented });
    expect(await runCli("lint", "--strict", t.root)).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  test("--strict and --max-warnings make warnings fail; a bad count is a usage error", async () => {
    const t = await tree({ "shop.svc": "package shop;\nrecord a_b {}\nrecord c_d {}\n" });
    expect((await runCli("lint", t.root)).code).toBe(0);
    expect((await runCli("lint", "--strict", t.root)).code).toBe(1);
    expect((await runCli("lint", "--max-warnings", "1", t.root)).code).toBe(1);
    expect((await runCli("lint", "--max-warnings", "2", t.root)).code).toBe(0);
    const bad = await runCli("lint", "--max-warnings", "many", t.root);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("expected a whole number");
  });

  test("the checker's errors come with the warnings, in source order, and exit 1", async () => {
    const t = await tree({
      "shop.svc":
        "package shop;\nrecord a_b { x: Nope; }\ninterface S {\n  /// x\n  get(): a_b;\n}\n",
    });
    const result = await lintJson(t.root, t.root);
    expect(result.code).toBe(1);
    expect(result.found).toEqual([
      ["shop.svc", "SVC4001", 2],
      ["shop.svc", "SVC2003", 2],
      ["shop.svc", "SVC4007", 3],
      ["shop.svc", "SVC4009", 5],
    ]);
  });

  test("unused imports and types are not reported in a file with errors", async () => {
    const t = await tree({
      "types.svc": "/// T.\npackage types;\n/// A.\nrecord A {}\n",
      "shop.svc":
        'package shop;\nimport "types.svc";\nrecord Unused {}\n/// S.\ninterface S {\n  /// x\n  put(a: Nope);\n}\n',
    });
    const result = await lintJson(t.root, t.path("shop.svc"));
    expect(result.found).toEqual([["shop.svc", "SVC2003", 7]]);
    const fixed = await tree({
      "types.svc": "/// T.\npackage types;\n/// A.\nrecord A {}\n",
      "shop.svc":
        'package shop;\nimport "types.svc";\nrecord Unused {}\n/// S.\ninterface S {\n  /// x\n  put(a: string);\n}\n',
    });
    expect((await lintJson(fixed.root, fixed.path("shop.svc"))).found).toEqual([
      ["shop.svc", "SVC4010", 2],
      ["shop.svc", "SVC4011", 3],
    ]);
  });

  test("an import used only through a type of the importer's own package counts as used", async () => {
    const t = await tree({
      "a.svc": "package shop;\n/// M.\nrecord Money { cents: int64; }\n",
      "b.svc": 'package shop;\nimport "a.svc";\nrecord Order { total: Money; }\n',
    });
    expect((await lintJson(t.root, t.root)).found).toEqual([]);
  });

  test("a type used by another file of the program is used; files only imported are not linted", async () => {
    const t = await tree({
      "lib/types.svc": "package Types;\nrecord bad_name {}\n",
      "app/shop.svc":
        'package shop;\nimport "../lib/types.svc";\n/// A.\nrecord Line {}\n/// S.\ninterface S {\n  /// x\n  put(a: Types.bad_name);\n}\n',
      "app/user.svc": 'package user;\nimport "shop.svc";\nrecord U { line: shop.Line; }\n',
    });
    expect((await lintJson(t.root, t.path("app"))).found).toEqual([]);
    // Linting shop.svc alone: user.svc is not part of the program, so Line is unused.
    expect((await lintJson(t.root, t.path("app/shop.svc"))).found).toEqual([
      ["app/shop.svc", "SVC4011", 4],
    ]);
  });

  test("the nearest svcgen.json applies, with ignore and ignoreOnly relative to it", async () => {
    const files = {
      "svcgen.json": JSON.stringify({
        lint: { ignore: ["vendor"], ignoreOnly: { "type-name-pascal-case": ["legacy/old.svc"] } },
      }),
      "vendor/v.svc": "record bad_name {}\n",
      "legacy/old.svc": "package legacy;\nrecord bad_name { a_b: int32; }\n",
      "app/svcgen.json": JSON.stringify({ lint: { rules: { SVC4001: "error" } } }),
      "app/x.svc": "package app;\nrecord bad_name {}\n",
    };
    const t = await tree(files);
    const result = await lintJson(t.root, t.root);
    expect(result.found).toEqual([
      ["app/x.svc", "SVC4001", 2],
      ["legacy/old.svc", "SVC4003", 2],
    ]);
    expect(result.code).toBe(1);
    // --config replaces the lookup for every file.
    const given = await tree({
      "off.json": JSON.stringify({ lint: { rules: { SVC4001: "off" } } }),
    });
    const withConfig = await lintJson(t.root, t.root, "--config", given.path("off.json"));
    expect(withConfig.found).toEqual([
      ["legacy/old.svc", "SVC4003", 2],
      ["vendor/v.svc", "SVC4006", 1],
    ]);
    expect(withConfig.code).toBe(0);
  });

  test.each([
    ["not JSON", "{ lint:", "not valid JSON"],
    ["an unknown rule", '{"lint":{"rules":{"SVC4999":"off"}}}', 'unknown lint rule "SVC4999"'],
    [
      "a bad severity",
      '{"lint":{"rules":{"SVC4001":"warn"}}}',
      'expected "off", "warning" or "error"',
    ],
    ["an unknown key", '{"lint":{"rule":{}}}', 'unknown key "lint.rule"'],
    [
      "ignore not a list",
      '{"lint":{"ignore":"vendor"}}',
      '"lint.ignore" must be an array of paths',
    ],
  ])("a config with %s is a usage error naming the file (exit 2)", async (_what, text, message) => {
    const t = await tree({ "svcgen.json": text, "a.svc": documented });
    const result = await runCli("lint", t.root);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(t.path("svcgen.json"));
    expect(result.stderr).toContain(message);
  });

  test("suppression comments: above an annotated element, trailing, file-wide; not in doc comments", async () => {
    const t = await tree({
      "a.svc": `/// A.
package a;

// svcgen-lint-ignore-file SVC4004,field-name-camel-case: legacy names
/// E.
enum E { ONE_A, TWO_B }
record R { a_b: int32; }

/// S.
interface S {
  // svcgen-lint-ignore read-method-idempotent,SVC4008
  @deprecated
  getA(): R;
  getB(): E; // svcgen-lint-ignore SVC4008
  /// svcgen-lint-ignore SVC4009
  getC(): R;
  /// Not covered: the comment above belongs to getC.
  @idempotent
  get_d(): R;
}
`,
    });
    expect((await lintJson(t.root, t.root)).found).toEqual([
      ["a.svc", "SVC4009", 14],
      ["a.svc", "SVC4009", 16],
      ["a.svc", "SVC4002", 19],
    ]);
  });

  test("the repository's idl/ and the project template follow every rule", async () => {
    for (const folder of ["idl", "packages/svcgen/templates/project/idl"]) {
      const result = await runCli("lint", "--strict", path.join(repository, folder));
      expect(result).toEqual({ code: 0, stdout: "", stderr: "" });
    }
  });
});
