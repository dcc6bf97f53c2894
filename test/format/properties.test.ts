/**
 * Properties of `svcgen fmt` over every .svc file of the test corpus and idl/: formatting is
 * idempotent, keeps the meaning (same syntax tree but for positions, same model), and does
 * not depend on how the input was spaced. Random comments and spacing are mixed into the
 * files to reach the corners the corpus does not.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { formatSource, loadProgram } from "svcgen";
import type { Model } from "svcgen";
import { parseSource } from "../../packages/svcgen/src/syntax/parse.js";
import { svcLexer } from "../../packages/svcgen/src/syntax/tokens.js";
import { fuzzRuns, fuzzTimeout } from "../reliability/fuzz-runs.js";

const repository = path.resolve(import.meta.dirname, "../..");
const folders = ["idl", "test/frontend/corpus", "bench"].map((f) => path.join(repository, f));

async function svcFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(".svc"))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

/** The syntax tree without positions: what formatting must keep. */
function syntax(text: string): unknown {
  return JSON.parse(
    JSON.stringify(parseSource(text).file, (key, value: unknown) =>
      key === "span" || key === "packageSpan" ? undefined : value,
    ),
  );
}

/** The model without positions, its paths relative to `root`. */
function model(value: Model, root: string): unknown {
  const text = JSON.stringify(value.files, (key, item: unknown) =>
    key === "span" ? undefined : item,
  );
  return JSON.parse(text.split(root + path.sep).join(""));
}

const seeds: { file: string; text: string }[] = [];
beforeAll(async () => {
  for (const folder of folders) {
    for (const file of await svcFiles(folder)) {
      const text = await readFile(file, "utf8");
      if (parseSource(text).problems.length === 0) seeds.push({ file, text });
    }
  }
});

describe("over the corpus and idl/", () => {
  test("there are seeds: every file that parses", () => {
    expect(seeds.length).toBeGreaterThan(30);
  });

  test("fmt(fmt(x)) == fmt(x), and fmt(x) has the syntax tree of x", () => {
    for (const { file, text } of seeds) {
      const once = formatSource(text);
      expect({ file, formatted: once !== undefined }).toEqual({ file, formatted: true });
      expect(formatSource(once!)).toBe(once);
      expect(syntax(once!)).toEqual(syntax(text));
    }
  });

  describe("the model of fmt(x) equals the model of x", () => {
    let workspace: string;
    beforeAll(async () => {
      workspace = await mkdtemp(path.join(tmpdir(), "svcgen-fmt-"));
    });
    afterAll(async () => {
      await rm(workspace, { recursive: true, force: true });
    });

    test.each(["idl", "test/frontend/corpus/valid"])("%s", async (relative) => {
      const original = path.join(repository, relative);
      const copy = path.join(workspace, relative);
      await cp(original, copy, { recursive: true });
      for (const file of await svcFiles(copy)) {
        await writeFile(file, formatSource(await readFile(file, "utf8"))!);
      }
      const before = await loadProgram([original]);
      const after = await loadProgram([copy]);
      expect(before.model).toBeDefined();
      expect(after.diagnostics).toEqual([]);
      expect(model(after.model!, copy)).toEqual(model(before.model!, original));
    });
  });
});

/** The gaps between tokens of `text`, as offsets, with whether each holds a line break or comment. */
function gaps(text: string): { at: number; plain: boolean; hasNewline: boolean }[] {
  const tokens = svcLexer.tokenize(text).tokens;
  const result: { at: number; plain: boolean; hasNewline: boolean }[] = [];
  for (let index = 1; index < tokens.length; index++) {
    const start = tokens[index - 1]!.endOffset! + 1;
    const gap = text.slice(start, tokens[index]!.startOffset);
    result.push({
      at: start,
      plain: /^\s*$/.test(gap),
      hasNewline: /[\r\n]/.test(gap),
    });
  }
  return result;
}

/** `text` with `insertions` (offset → text) applied, from the end so offsets stay valid. */
function insert(text: string, insertions: [number, string][]): string {
  let result = text;
  for (const [at, piece] of [...insertions].sort((a, b) => b[0] - a[0])) {
    result = result.slice(0, at) + piece + result.slice(at);
  }
  return result;
}

describe("on perturbed files", () => {
  const seed = () => fc.integer({ min: 0, max: seeds.length - 1 }).map((i) => seeds[i]!.text);

  test(
    "spacing within a line, and line breaks where there were none, do not change the result",
    () => {
      fc.assert(
        fc.property(
          seed(),
          fc.array(fc.tuple(fc.nat(), fc.constantFrom(" ", "\t", "   ", "\n")), {
            maxLength: 20,
          }),
          (text, picks) => {
            const candidates = gaps(text).filter((gap) => gap.plain);
            if (candidates.length === 0) return;
            const used = new Set<number>();
            const insertions: [number, string][] = [];
            for (const [pick, piece] of picks) {
              const gap = candidates[pick % candidates.length]!;
              // A second line break in a gap would make a blank line, which is kept.
              if (piece === "\n" && (gap.hasNewline || used.has(gap.at))) continue;
              used.add(gap.at);
              insertions.push([gap.at, piece]);
            }
            expect(formatSource(insert(text, insertions))).toBe(formatSource(text));
          },
        ),
        { numRuns: fuzzRuns(150) },
      );
    },
    fuzzTimeout(60_000),
  );

  test(
    "with comments anywhere between tokens: idempotent, same syntax tree, every comment kept",
    () => {
      const comment = fc.oneof(
        fc.constantFrom("// c\n", "/* b */", "/* multi\n   line */", "\n// own line\n", "\n\n"),
        fc.stringMatching(/^[a-z ]{0,12}$/).map((words) => `/* ${words} */`),
      );
      fc.assert(
        fc.property(
          seed(),
          fc.array(fc.tuple(fc.nat(), comment), { maxLength: 12 }),
          (text, picks) => {
            const all = gaps(text);
            if (all.length === 0) return;
            const mixed = insert(
              text,
              picks.map(([pick, piece]) => [all[pick % all.length]!.at, ` ${piece} `]),
            );
            const once = formatSource(mixed);
            expect(once).toBeDefined();
            expect(formatSource(once!)).toBe(once);
            expect(syntax(once!)).toEqual(syntax(mixed));
            const count = (value: string) => (value.match(/\/\/ c|\/\* |own line/g) ?? []).length;
            expect(count(once!)).toBe(count(mixed));
          },
        ),
        { numRuns: fuzzRuns(150) },
      );
    },
    fuzzTimeout(60_000),
  );
});
