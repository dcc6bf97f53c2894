/**
 * The generator prints prettier's layout itself and runs prettier only on the statements
 * it cannot be sure about (see `Segment` in printer.ts). This checks the result is exactly
 * what prettier makes of it: formatting any generated file again changes nothing.
 */
import path from "node:path";
import { describe, expect, test } from "@jest/globals";
import * as prettier from "prettier";
import { generateFiles } from "../../packages/svcgen/src/generate/index.js";
import { CodePrinter } from "../../packages/svcgen/src/generate/printer.js";
import { loadProgram } from "../../packages/svcgen/src/program.js";
import { REPO } from "./compile.js";

async function generatedFor(dir: string) {
  const program = await loadProgram([path.join(REPO, dir)]);
  expect(program.diagnostics).toEqual([]);
  return generateFiles(program.model!, { root: program.root });
}

function prettierFormat(text: string): Promise<string> {
  return prettier.format(text, { parser: "typescript", printWidth: 100 });
}

describe("generated code is prettier-formatted", () => {
  test.each([
    // The examples (also committed under generated/).
    "idl",
    // The golden fixture.
    "test/generate/fixtures/golden",
    // Names and signatures near and past the line width, long packages, unions on one or
    // several lines, documented union cases, non-ASCII docs, maps spelled without `Record`.
    "test/generate/fixtures/layout",
  ])("%s", async (dir) => {
    for (const file of await generatedFor(dir)) {
      expect({ path: file.path, text: await prettierFormat(file.text) }).toEqual({
        path: file.path,
        text: file.text,
      });
    }
  });
});

describe("CodePrinter layout", () => {
  test("breaks a signature that does not fit, one parameter per line", async () => {
    const p = new CodePrinter();
    p.block("interface A {", () => {
      p.signature("short", ["a: string", "options?: Options"], ": Promise<void>;");
      const params = ["firstParameterWithALongName: string", "secondParameterWithALongName: T"];
      p.signature("aMethodWithALongName", params, ": Promise<SomeLongResultTypeName[]>;");
      p.signature("none", [], ": void;");
    });
    const text = p.print([]);
    expect(text).toBe(
      [
        "interface A {",
        "  short(a: string, options?: Options): Promise<void>;",
        "  aMethodWithALongName(",
        "    firstParameterWithALongName: string,",
        "    secondParameterWithALongName: T,",
        "  ): Promise<SomeLongResultTypeName[]>;",
        "  none(): void;",
        "}",
        "",
      ].join("\n"),
    );
    expect(await prettierFormat(text)).toBe(text);
  });

  test("prints an import that does not fit one name per line", async () => {
    const p = new CodePrinter();
    const names = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel"];
    for (const name of names) p.import("@scope/some-long-module-name", `${name}Type`);
    p.line(`export const first = ${names[0]}Type;`);
    const text = p.print([]);
    expect(text.split("\n").slice(0, 3)).toEqual(["import {", "  AlphaType,", "  BravoType,"]);
    expect(await prettierFormat(text)).toBe(text);
  });

  test("marks only the segments that prettier must format", () => {
    const p = new CodePrinter();
    p.line("const a = 1;");
    p.line();
    p.line(`const b = "${"x".repeat(100)}";`);
    p.line();
    p.line("const c = 3;");
    const { segments } = p.printModule([]);
    expect(segments.map((s) => s.needsFormatting)).toEqual([false, true, false]);
  });
});
