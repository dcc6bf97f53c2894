/**
 * docs/language.md stays true: every example marked `<!-- check: ok -->` checks clean, every
 * one marked `<!-- check: SVCnnnn -->` is reported with exactly that code, and every
 * diagnostic code and annotation of the compiler is described on the page.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { DiagnosticCode } from "../../packages/svcgen/src/index.js";
import { main } from "../../packages/svcgen/src/cli.js";

const page = await readFile(new URL("../../docs/language.md", import.meta.url), "utf8");

interface Example {
  readonly expected: string;
  readonly source: string;
  readonly line: number;
}

/** Each `<!-- check: X -->` and the svc block right after it (indentation of lists removed). */
function examples(): Example[] {
  const found: Example[] = [];
  const marker = /<!-- check: (ok|SVC\d{4}) -->\s*\n(\s*)```svc\n([\s\S]*?)\n\s*```/g;
  for (const match of page.matchAll(marker)) {
    const indent = match[2]!.replace(/^\n+/, "");
    const source = match[3]!
      .split("\n")
      .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
      .join("\n");
    const line = page.slice(0, match.index).split("\n").length;
    found.push({ expected: match[1]!, source: `${source}\n`, line });
  }
  return found;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "svcgen-language-doc-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function codesOf(source: string, name: string): Promise<string[]> {
  const file = path.join(dir, `${name}.svc`);
  await writeFile(file, source);
  let stdout = "";
  await main(["check", "--format", "json", file], {
    stdout: (text) => void (stdout += text),
    stderr: () => {},
  });
  return (JSON.parse(stdout) as { code: string }[]).map((diagnostic) => diagnostic.code);
}

describe("docs/language.md", () => {
  const all = examples();

  test("has checked examples, clean ones and one per rule", () => {
    expect(all.filter((example) => example.expected === "ok").length).toBeGreaterThanOrEqual(3);
    expect(all.length).toBeGreaterThanOrEqual(15);
  });

  test.each(all.map((example) => [example.line, example.expected, example] as const))(
    "the example at line %i: %s",
    async (line, expected, example) => {
      const codes = await codesOf(example.source, `line-${line}`);
      expect(codes).toEqual(expected === "ok" ? [] : [expected]);
    },
  );

  test("names every diagnostic code", () => {
    const missing = Object.values(DiagnosticCode).filter((code) => !page.includes(code));
    expect(missing).toEqual([]);
  });

  test("describes every annotation the compiler accepts", async () => {
    for (const annotation of ["@deprecated", "@status", "@idempotent"]) {
      expect(page).toContain(`\`${annotation}`);
    }
    // And says that a name outside that list is refused: the unknown-annotation message lists them.
    const file = path.join(dir, "annotations.svc");
    await writeFile(file, "@nonsense\nrecord R {}\n");
    let stdout = "";
    await main(["check", file], { stdout: (text) => void (stdout += text), stderr: () => {} });
    const known = /known: ([^)]*)\)/.exec(stdout)?.[1]?.split(", ") ?? [];
    expect(known.length).toBeGreaterThan(0);
    for (const annotation of known) expect(page).toContain(`\`${annotation}`);
  });
});
