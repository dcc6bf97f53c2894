/**
 * docs/breaking.md is the table of `svcgen breaking`: every row's pair of files reports
 * exactly that row's code, every "not breaking" row's pair reports nothing, and the table
 * lists every code there is.
 */
import { describe, expect, test } from "@jest/globals";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { main } from "../../packages/svcgen/src/cli.js";
import { BreakingCode } from "../../packages/svcgen/src/breaking/codes.js";

const repository = path.resolve(import.meta.dirname, "../..");
const doc = readFileSync(path.join(repository, "docs/breaking.md"), "utf8");

/** Rows of the doc's tables that link a pair of files: [first cell, linked folder]. */
function rows(kind: "cases" | "safe"): [string, string][] {
  const pattern = new RegExp(
    `^\\| ([^|]+?) +\\|.*\\]\\(\\.\\./(test/breaking/${kind}/[^)]+)\\)`,
    "gm",
  );
  return [...doc.matchAll(pattern)].map((match) => [match[1]!, match[2]!]);
}

async function breaking(folder: string) {
  let stdout = "";
  let stderr = "";
  const code = await main(
    [
      "breaking",
      path.join(repository, folder, "new"),
      "--against",
      path.join(repository, folder, "old"),
      "--format",
      "json",
    ],
    { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) },
  );
  return {
    code,
    stderr,
    codes: (JSON.parse(stdout || "[]") as { code: string }[]).map((d) => d.code),
  };
}

describe("docs/breaking.md", () => {
  const breakingRows = rows("cases");
  const safeRows = rows("safe");

  test("lists every code once, each with its own pair of files, and every pair is listed", () => {
    expect(breakingRows.map(([code]) => code)).toEqual(Object.values(BreakingCode));
    for (const [code, folder] of breakingRows) expect(folder).toBe(`test/breaking/cases/${code}`);
    const listed = (kind: string) =>
      readdirSync(path.join(repository, "test/breaking", kind))
        .map((name) => `test/breaking/${kind}/${name}`)
        .sort();
    expect(breakingRows.map(([, folder]) => folder).sort()).toEqual(listed("cases"));
    expect(safeRows.map(([, folder]) => folder).sort()).toEqual(listed("safe"));
  });

  test.each(breakingRows)("%s: its files report exactly that code", async (code, folder) => {
    const result = await breaking(folder);
    expect(result).toEqual({ code: 1, stderr: "", codes: [code] });
  });

  test.each(safeRows)("not breaking: %s", async (_change, folder) => {
    expect(await breaking(folder)).toEqual({ code: 0, stderr: "", codes: [] });
  });
});
