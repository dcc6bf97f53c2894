/**
 * The IDL front end on hostile text: random text, random bytes, and the example and corpus
 * files with tokens deleted, inserted, duplicated or swapped. Whatever the input,
 * `loadProgram` answers with diagnostics or a model; it never throws (except `UsageError`
 * for bytes that are not UTF-8, which is how it refuses a binary file) and never hangs.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { UsageError, loadProgram } from "svcgen";
import { fuzzRuns, fuzzTimeout } from "./fuzz-runs.js";

const repository = path.resolve(import.meta.dirname, "../..");
/** Seed folders; each is copied whole so that the seeds' imports still resolve. */
const seedFolders = [path.join(repository, "idl"), path.join(repository, "test/frontend/corpus")];

interface Seed {
  /** The folder (inside the temp copy) the seed lives in: the fuzzed file is written there. */
  readonly folder: string;
  readonly text: string;
}

let workspace: string;
const seeds: Seed[] = [];

async function svcFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(".svc"))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

beforeAll(async () => {
  workspace = await mkdtemp(path.join(tmpdir(), "svcgen-fuzz-"));
  for (const [index, folder] of seedFolders.entries()) {
    const copy = path.join(workspace, String(index));
    await cp(folder, copy, { recursive: true });
    for (const file of await svcFiles(copy)) {
      seeds.push({ folder: path.dirname(file), text: await readFile(file, "utf8") });
    }
  }
});

afterAll(async () => {
  await rm(workspace, { recursive: true, force: true });
});

/** Tokens as a mutator sees them: words, literals, punctuation and the space between. */
function tokenize(text: string): string[] {
  return text.match(/\/\/[^\n]*|\/\*[\s\S]*?\*\/|"(?:[^"\\\n]|\\.)*"?|\w+|\s+|./g) ?? [];
}

/** Fragments that are likely to confuse a recovering parser. */
const noise = [
  "{",
  "}",
  "(",
  ")",
  "<",
  ">",
  "[",
  "]",
  ";",
  ",",
  ":",
  "?",
  "@",
  ".",
  "/*",
  "*/",
  "//",
  "///",
  '"',
  "map",
  "oneway",
  "throws",
  "void",
  "record",
  "interface",
  "callback",
  "enum",
  "union",
  "error",
  "package",
  "import",
  "@status(",
  "@idempotent",
  '@deprecated("x")',
  "int32[]",
  "map<string,",
  "__proto__",
  "constructor",
  "9999999999999999999999",
  "\u0000",
  "\u00e9",
  "\ud83d\ude00",
  "\\u0041",
  "\r\n",
];

type Mutation =
  | { kind: "delete"; at: number; length: number }
  | { kind: "duplicate"; at: number; length: number }
  | { kind: "insert"; at: number; fragment: string }
  | { kind: "swap"; at: number; with: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant("delete" as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({
    kind: fc.constant("duplicate" as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 6 }),
  }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    fragment: fc.oneof(fc.constantFrom(...noise), fc.string({ maxLength: 4 })),
  }),
  fc.record({ kind: fc.constant("swap" as const), at: fc.nat(), with: fc.nat() }),
);

function mutate(text: string, mutations: readonly Mutation[]): string {
  const tokens = tokenize(text);
  for (const m of mutations) {
    if (tokens.length === 0) tokens.push("");
    const at = m.at % tokens.length;
    switch (m.kind) {
      case "delete":
        tokens.splice(at, m.length);
        break;
      case "duplicate":
        tokens.splice(at, 0, ...tokens.slice(at, at + m.length));
        break;
      case "insert":
        tokens.splice(at, 0, m.fragment);
        break;
      case "swap": {
        const other = m.with % tokens.length;
        [tokens[at], tokens[other]] = [tokens[other]!, tokens[at]!];
        break;
      }
    }
  }
  return tokens.join("");
}

let counter = 0;

/** Writes `content` next to the seed's files and loads it; checks the outcome's shape. */
async function loadsCleanly(folder: string, content: string | Uint8Array): Promise<void> {
  const file = path.join(folder, `fuzz-${++counter}.svc`);
  await writeFile(file, content);
  try {
    const program = await loadProgram([file]);
    const errors = program.diagnostics.filter((d) => d.severity === "error");
    // Either a model and no errors, or errors and no model.
    expect(program.model === undefined).toBe(errors.length > 0);
    for (const diagnostic of program.diagnostics) {
      expect(typeof diagnostic.message).toBe("string");
      expect(diagnostic.message.length).toBeGreaterThan(0);
      expect(diagnostic.line).toBeGreaterThanOrEqual(1);
      expect(diagnostic.column).toBeGreaterThanOrEqual(1);
    }
  } catch (error) {
    // Bytes that are not UTF-8 are refused as a usage problem, not as an IDL problem.
    if (typeof content === "string" || !(error instanceof UsageError)) throw error;
  } finally {
    await rm(file, { force: true });
  }
}

describe("IDL front end under fuzzing", () => {
  test(
    "mutated example and corpus files give diagnostics or a model, never an exception",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.nat(),
          fc.array(mutation, { minLength: 1, maxLength: 6 }),
          async (pick, mutations) => {
            const seed = seeds[pick % seeds.length]!;
            await loadsCleanly(seed.folder, mutate(seed.text, mutations));
          },
        ),
        { numRuns: fuzzRuns(150) },
      );
    },
    fuzzTimeout(30_000),
  );

  test(
    "random text gives diagnostics or a model, never an exception",
    async () => {
      const text = fc.oneof(
        fc.string({ maxLength: 200, unit: "grapheme" }),
        fc
          .array(fc.constantFrom(...noise, " ", "a", "b", "1"), { maxLength: 60 })
          .map((parts) => parts.join("")),
      );
      await fc.assert(
        fc.asyncProperty(text, (content) => loadsCleanly(seeds[0]!.folder, content)),
        { numRuns: fuzzRuns(200) },
      );
    },
    fuzzTimeout(30_000),
  );

  test(
    "random bytes give diagnostics, a model, or a UsageError for text that is not UTF-8",
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), (bytes) =>
          loadsCleanly(seeds[0]!.folder, bytes),
        ),
        { numRuns: fuzzRuns(100) },
      );
    },
    fuzzTimeout(30_000),
  );

  test("deeply nested and very long inputs are answered, not a stack overflow", async () => {
    const folder = seeds[0]!.folder;
    await loadsCleanly(
      folder,
      `record R { a: ${"map<string, ".repeat(500)}int32${">".repeat(500)}; }`,
    );
    await loadsCleanly(folder, `record R { a: int32${"[]".repeat(2000)}; }`);
    await loadsCleanly(folder, "{".repeat(5000));
    await loadsCleanly(folder, `record R { ${"a: int32; ".repeat(2000)} }`);
    await loadsCleanly(folder, `/* ${"x".repeat(200_000)}`);
  });
});
