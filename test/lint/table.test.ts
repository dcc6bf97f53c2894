/**
 * docs/lint.md is the table of `svcgen lint`: it lists every rule there is, and each rule's
 * example reports that rule and no other, and is silenced by the config and by a suppression
 * comment above each place it is reported.
 */
import { afterEach, describe, expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { lintRules } from "../../packages/svcgen/src/lint/index.js";
import { runCli, tempTree } from "../frontend/helpers.js";

const repository = path.resolve(import.meta.dirname, "../..");
const doc = readFileSync(path.join(repository, "docs/lint.md"), "utf8");

interface Example {
  readonly code: string;
  readonly name: string;
  /** File name → text. */
  readonly files: Record<string, string>;
}

/** Each `### SVC4xxx \`name\`` section with the `svc` blocks of its example. */
function examples(): Example[] {
  const sections = doc.split(/^### /m).slice(1);
  return sections.map((whole) => {
    const section = whole.split(/^## /m)[0]!;
    const heading = /^(SVC\d{4}) `([a-z-]+)`/.exec(section);
    if (!heading) throw new Error(`unexpected section heading: ${section.slice(0, 40)}`);
    const files: Record<string, string> = {};
    for (const block of section.matchAll(/^```svc\n([\s\S]*?)^```$/gm)) {
      const text = block[1]!;
      const named = /^\/\/ ([\w.-]+\.svc)\n/.exec(text);
      files[named ? named[1]! : "example.svc"] = text;
    }
    return { code: heading[1]!, name: heading[2]!, files };
  });
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((remove) => remove()));
});

interface Found {
  file: string;
  line: number;
  code: string;
  severity: string;
}

async function lint(files: Record<string, string>, config?: object) {
  const tree = await tempTree({
    ...files,
    ...(config ? { "svcgen.json": JSON.stringify(config) } : {}),
  });
  cleanups.push(tree.remove);
  const result = await runCli("lint", tree.root, "--format", "json");
  expect(result.stderr).toBe("");
  return { ...result, tree, found: JSON.parse(result.stdout) as Found[] };
}

describe("docs/lint.md", () => {
  const all = examples();

  test("has a section with an example for every rule, in code order, named as the rule is", () => {
    expect(all.map(({ code, name }) => [code, name])).toEqual(
      lintRules.map(({ code, name }) => [code, name]),
    );
    for (const example of all) expect(Object.keys(example.files).length).toBeGreaterThan(0);
    // The table at the top lists the same rules.
    const tableRows = [...doc.matchAll(/^\| (SVC4\d{3}) \| `([a-z-]+)` +\|/gm)].map((m) => [
      m[1],
      m[2],
    ]);
    expect(tableRows).toEqual(lintRules.map(({ code, name }) => [code, name]));
  });

  test.each(all.map((example): [string, Example] => [example.code, example]))(
    "%s: its example reports that rule and no other, as a warning (exit 0)",
    async (code, example) => {
      const { found, code: exit } = await lint(example.files);
      expect(found.length).toBeGreaterThan(0);
      for (const d of found) expect([d.code, d.severity]).toEqual([code, "warning"]);
      expect(exit).toBe(0);
    },
  );

  test.each(all.map((example): [string, Example] => [example.code, example]))(
    "%s: the config turns it off by code and by name, and makes it an error",
    async (code, example) => {
      expect((await lint(example.files, { lint: { rules: { [code]: "off" } } })).found).toEqual([]);
      const byName = await lint(example.files, { lint: { rules: { [example.name]: "off" } } });
      expect(byName.found).toEqual([]);
      const asError = await lint(example.files, { lint: { rules: { [code]: "error" } } });
      expect(asError.found.length).toBeGreaterThan(0);
      for (const d of asError.found) expect([d.code, d.severity]).toEqual([code, "error"]);
      expect(asError.code).toBe(1);
    },
  );

  test.each(all.map((example): [string, Example] => [example.code, example]))(
    "%s: a suppression comment on the line above silences it, and the file still checks",
    async (code, example) => {
      const { found, tree } = await lint(example.files);
      // Bottom up, so that the lines found stay where they were.
      for (const finding of [...found].reverse()) {
        const file = finding.file;
        const lines = (await readFile(file, "utf8")).split("\n");
        const indent = /^\s*/.exec(lines[finding.line - 1]!)![0];
        lines.splice(finding.line - 1, 0, `${indent}// svcgen-lint-ignore ${code}: as documented`);
        await writeFile(file, lines.join("\n"));
      }
      const again = await runCli("lint", tree.root, "--format", "json");
      expect(JSON.parse(again.stdout)).toEqual([]);
      expect((await runCli("check", tree.root)).code).toBe(0);
    },
  );
});
