/** The canonical layout of `svcgen fmt`, rule by rule (docs/formatting.md). */
import { describe, expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import path from "node:path";
import { formatSource } from "svcgen";

const here = import.meta.dirname;

/** Formats lines joined with "\n". */
function fmt(...lines: string[]): string | undefined {
  return formatSource(lines.join("\n"));
}

describe("formatSource", () => {
  test("the example of docs/formatting.md is in the layout it describes", () => {
    const doc = readFileSync(path.join(here, "../../docs/formatting.md"), "utf8");
    const example = /```svc\n([\s\S]*?)```/.exec(doc)![1]!;
    expect(formatSource(example)).toBe(example);
  });

  test("a file using every construct, with comments everywhere, gets its golden layout", () => {
    const messy = readFileSync(path.join(here, "messy.svc"), "utf8");
    const golden = readFileSync(path.join(here, "messy.formatted.svc"), "utf8");
    expect(formatSource(messy)).toBe(golden);
    expect(formatSource(golden)).toBe(golden);
  });

  test("sections: package, imports, declarations, one blank line between", () => {
    expect(fmt('package a.b ;import "x.svc";import "y.svc";record R{}enum E{A}')).toBe(
      'package a.b;\n\nimport "x.svc";\nimport "y.svc";\n\nrecord R {}\n\nenum E { A }\n',
    );
  });

  test("members one per line; blank lines between members kept (one), never after { or before }", () => {
    expect(
      fmt("record R {", "", "  a: int32;", "", "", "", "  b?: string; c: bool;", "", "}"),
    ).toBe("record R {\n  a: int32;\n\n  b?: string;\n  c: bool;\n}\n");
  });

  test("types are spaced as IDL.md writes them", () => {
    expect(fmt("union U { a : map < string , common . Money [ ] > [ ] [ ] ; }")).toBe(
      "union U {\n  a: map<string, common.Money[]>[][];\n}\n",
    );
  });

  test("annotations on lines of their own, except on parameters", () => {
    expect(
      fmt('@deprecated ( "old" ) @status(404) error E { @deprecated x: int32; }') +
        fmt("interface S { @idempotent get(@deprecated id?: string): string; }")!,
    ).toBe(
      '@deprecated("old")\n@status(404)\nerror E {\n  @deprecated\n  x: int32;\n}\n' +
        "interface S {\n  @idempotent\n  get(@deprecated id?: string): string;\n}\n",
    );
  });

  test("an enum is flat when it fits and has no comment or annotation, else one member a line", () => {
    expect(fmt("enum E {A,B,}")).toBe("enum E { A, B }\n");
    expect(fmt("enum E {A, /// doc", "B}")).toBe("enum E {\n  A, /// doc\n  B,\n}\n");
    expect(fmt("enum E {A, @deprecated B}")).toBe("enum E {\n  A,\n  @deprecated\n  B,\n}\n");
    const long = Array.from({ length: 12 }, (_, i) => `Member${i}`);
    expect(fmt(`enum E { ${long.join(", ")} }`)).toBe(
      `enum E {\n${long.map((name) => `  ${name},\n`).join("")}}\n`,
    );
  });

  test("a method is flat when it fits in 100 columns, else one parameter a line", () => {
    const fits = `  ${"m".repeat(61)}(a: int32, b: string): bool throws E;`;
    expect(fits.length).toBe(100);
    expect(fmt("interface S {", fits, "}")).toBe(`interface S {\n${fits}\n}\n`);
    const long = `  ${"m".repeat(62)}(a: int32, b: string,): bool throws E;`;
    expect(fmt("interface S {", long, "}")).toBe(
      `interface S {\n  ${"m".repeat(62)}(\n    a: int32,\n    b: string,\n  ): bool throws E;\n}\n`,
    );
    expect(fmt("interface S { m(a: int32,", "b: string,); }")).toBe(
      "interface S {\n  m(a: int32, b: string);\n}\n",
    );
  });

  test("doc comments stay before what they document; a parameter's doc breaks the list", () => {
    expect(fmt("interface S {", "/// Gets.", "get(", "/// The id.", "id: string); }")).toBe(
      "interface S {\n  /// Gets.\n  get(\n    /// The id.\n    id: string,\n  );\n}\n",
    );
  });

  test("comments stay on the line they follow, past a comma or semicolon", () => {
    expect(fmt("record R { a: int32 // why", "; }")).toBe("record R {\n  a: int32; // why\n}\n");
    expect(fmt("record R { a: /* inline */ int32; }")).toBe(
      "record R {\n  a: /* inline */ int32;\n}\n",
    );
    expect(fmt("record R {} // after", "// last line")).toBe(
      "record R {} // after\n// last line\n",
    );
  });

  test("a method named oneway, and oneway methods", () => {
    expect(fmt("callback C { oneway   oneway ( ) ; oneway(); }")).toBe(
      "callback C {\n  oneway oneway();\n  oneway();\n}\n",
    );
  });

  test("line endings become \\n, a byte order mark and trailing spaces go, one final newline", () => {
    expect(formatSource("\uFEFFrecord R {\r\n  a: int32;   \r\n}\r\n\r\n\r\n")).toBe(
      "record R {\n  a: int32;\n}\n",
    );
    expect(formatSource("")).toBe("");
    expect(formatSource("// only a comment   \n")).toBe("// only a comment\n");
  });

  test("text that does not parse is refused; semantic errors are formatted", () => {
    expect(fmt("record R { a int32; }")).toBeUndefined();
    expect(fmt("record R {")).toBeUndefined();
    expect(fmt("record A {}", 'import "late.svc";')).toBeUndefined();
    expect(fmt("record R { a: Unknown; a: int32; }")).toBe(
      "record R {\n  a: Unknown;\n  a: int32;\n}\n",
    );
  });
});
