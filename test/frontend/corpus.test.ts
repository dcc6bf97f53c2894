import { describe, expect, test } from "@jest/globals";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadProgram } from "svcgen";

const here = path.dirname(fileURLToPath(import.meta.url));
const validDir = path.join(here, "corpus", "valid");
const invalidDir = path.join(here, "corpus", "invalid");

function svcFilesBelow(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".svc"))
    .sort();
}

interface Expected {
  file: string;
  line: number;
  column: number;
  code: string;
  message: string;
}

describe("valid corpus", () => {
  test.each(svcFilesBelow(validDir))("%s checks clean", async (name) => {
    const program = await loadProgram([path.join(validDir, name)]);
    expect(program.diagnostics).toEqual([]);
    expect(program.model).toBeDefined();
  });

  test("the whole folder checks clean as one program", async () => {
    const program = await loadProgram([validDir]);
    expect(program.diagnostics).toEqual([]);
    expect(program.model?.files.length).toBe(svcFilesBelow(validDir).length);
  });
});

describe("invalid corpus", () => {
  const cases = readdirSync(invalidDir)
    .filter((name) => name.endsWith(".svc"))
    .sort();

  test("covers every semantic rule with a diagnostic", () => {
    for (const rule of [1, 2, 3, 4, 5, 6, 8, 9]) {
      expect(cases.some((name) => name.startsWith(`rule${rule}-`))).toBe(true);
    }
  });

  test.each(cases)("%s reports exactly its expected diagnostics", async (name) => {
    const expected = JSON.parse(
      readFileSync(path.join(invalidDir, name.replace(/\.svc$/, ".expected.json")), "utf8"),
    ) as Expected[];
    const program = await loadProgram([path.join(invalidDir, name)]);
    const actual = program.diagnostics.map((d) => ({
      file: path.relative(invalidDir, d.file).split(path.sep).join("/"),
      line: d.line,
      column: d.column,
      code: d.code,
      message: d.message.split(invalidDir + path.sep).join(""),
    }));
    expect(actual).toEqual(expected);
    expect(program.model).toBeUndefined();
  });

  test("three different errors come out as three diagnostics in source order", async () => {
    const program = await loadProgram([path.join(invalidDir, "three-errors.svc")]);
    expect(program.diagnostics.map((d) => [d.line, d.code])).toEqual([
      [4, "SVC1001"],
      [8, "SVC2003"],
      [12, "SVC2006"],
    ]);
  });
});

test("every file under idl/ checks clean", async () => {
  const program = await loadProgram([path.join(here, "..", "..", "idl")]);
  expect(program.diagnostics).toEqual([]);
  expect(program.model?.declarations.has("features.everything.Everything")).toBe(true);
});
