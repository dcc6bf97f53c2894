/**
 * The fast path of parseSource (syntax/fast-parse.ts) against the chevrotain parser it
 * stands in for: on every .svc file of the repository, the benchmark corpus and 1,500
 * damaged copies of them, it must either build the very tree chevrotain builds (same
 * JSON, property order included) for a text chevrotain finds no problem in, or give up.
 */
import { describe, expect, test } from "@jest/globals";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseWellFormed } from "../../packages/svcgen/src/syntax/fast-parse.js";
import { parseWithRecovery } from "../../packages/svcgen/src/syntax/parse.js";
// @ts-expect-error: a plain .mjs module of the benchmarks, without types.
import { makeIdl } from "../../bench/idl-corpus.mjs";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

function svcFilesBelow(folder: string): string[] {
  return readdirSync(path.join(repo, folder), { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".svc"))
    .map((name) => readFileSync(path.join(repo, folder, name), "utf8"));
}

const repositoryFiles = ["idl", "test", "examples", "docs"].flatMap(svcFilesBelow);
const corpusFiles = (makeIdl(1200) as { text: string }[]).map((file) => file.text);

/** Both parsers on `text`: the fast one must agree with chevrotain or give up. */
function compare(text: string): "fast" | "fell back" {
  const fast = parseWellFormed(text);
  const slow = parseWithRecovery(text);
  if (fast === undefined) return "fell back";
  expect(slow.problems).toEqual([]);
  expect(JSON.stringify(fast)).toBe(JSON.stringify(slow.file));
  return "fast";
}

/** A small deterministic generator, so a failure reproduces. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

const fragments = [
  ";",
  "{",
  "}",
  "(",
  ")",
  "<",
  ">",
  "[",
  "]",
  ",",
  ".",
  "?",
  "@",
  ":",
  " ",
  "\n",
  "\r\n",
  "\r",
  "/// doc\n",
  "// note\n",
  "/* block\n */",
  "/*",
  '"',
  '"a\\"b"',
  '"\\q"',
  "-",
  "-1",
  "12x",
  "map<string, ",
  "map<int32, ",
  "int32",
  "oneway ",
  "oneway(",
  "record",
  "error",
  "package a;",
  'import "x.svc";',
  "throws ",
  "void",
  "é",
  "\t",
  "\f",
  "///",
  "__x9",
];

describe("the fast parser builds chevrotain's tree or gives up", () => {
  test("on every .svc file of the repository and the benchmark corpus", () => {
    const files = [...repositoryFiles, ...corpusFiles];
    expect(files.length).toBeGreaterThan(50);
    const outcomes = files.map(compare);
    // The well-formed files (most of them) take the fast path.
    expect(outcomes.filter((outcome) => outcome === "fast").length).toBeGreaterThan(
      files.length / 2,
    );
    for (const text of corpusFiles) expect(parseWellFormed(text)).toBeDefined();
  });

  test("on damaged copies: characters removed, fragments inserted, lines swapped", () => {
    const next = random(18);
    const sources = [...repositoryFiles, corpusFiles[1]!];
    let fast = 0;
    for (let round = 0; round < 1500; round++) {
      const source = sources[Math.floor(next() * sources.length)]!;
      let text = source;
      const edits = 1 + Math.floor(next() * 3);
      for (let edit = 0; edit < edits; edit++) {
        const at = Math.floor(next() * (text.length + 1));
        const choice = next();
        if (choice < 0.35) {
          text = text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 3));
        } else if (choice < 0.8) {
          const fragment = fragments[Math.floor(next() * fragments.length)]!;
          text = text.slice(0, at) + fragment + text.slice(at);
        } else {
          const lines = text.split("\n");
          const a = Math.floor(next() * lines.length);
          const b = Math.floor(next() * lines.length);
          [lines[a], lines[b]] = [lines[b]!, lines[a]!];
          text = lines.join("\n");
        }
      }
      if (compare(text) === "fast") fast++;
    }
    // Some damage leaves a file well formed (a removed space, a swapped field): both paths.
    expect(fast).toBeGreaterThan(50);
  });

  test("doc comments: runs, code before them, tokens between their lines", () => {
    const texts = [
      "/// File.\npackage a;\n/// A.\nrecord A {}\n",
      "package a; /// trailing\nrecord A {}\n",
      "package a;\n/// one\nrecord A { /// two\n x: int32; }\n",
      "package a;\n/// one\n\n/// two\nrecord A {}\n",
      "package a;\n///   padded   \n/// \n///\nrecord A {\n  /// f\n  @deprecated\n  f: int32;\n}\n",
      "package a;\n/// at the end\n",
      "/// no package\nenum E { A, /// b\n B }\n",
      "package a;\r\n/// crlf\r\nrecord A {\r\n  /* a\r\n b */ x: int32;\r\n}\r\n",
      "package a;\r/// cr\rrecord A {}\r",
    ];
    for (const text of texts) expect(compare(text)).toBe("fast");
  });

  test("names, modifiers, literals and types of every shape", () => {
    const texts = [
      "interface I { oneway(); oneway oneway(a: int32); oneway map(record?: string,): void; }\n",
      'package a.b.c;\n@x(1, -2, "s\\n\\u00e9", ident, record) @y\nenum E { record, map, }\n',
      "package a;\nunion U { a: a . b /* c */ . D; b: map<string, int32[]>[][]; c: void; }\n",
      "package a;\nerror E { x?: json; }\ncallback C { f(x: bytes) throws a.E, E; }\n",
      "",
      "// only a comment",
      // A token per character: more tokens than the scanner first makes room for.
      `enum E{${"a,".repeat(30000)}}`,
    ];
    for (const text of texts) expect(compare(text)).toBe("fast");
  });

  test("gives up on what chevrotain reports, and on types nested too deep", () => {
    const texts = [
      "package a;\nrecord record {}\n",
      "package a;\nrecord A { m: map<int32, string>; }\n",
      'package a;\nimport "\\q";\n',
      "package a;\nrecord A { x: int32 }\n",
      "record A {}\npackage a;\n",
      'package a;\nrecord A {}\nimport "b.svc";\n',
      "package a;\ninterface I { get() int32; }\n",
      `package a;\nrecord A { x: ${"map<string, ".repeat(101)}int32${">".repeat(101)}; }\n`,
      `package a;\nrecord A { x: int32${"[]".repeat(101)}; }\n`,
      "package a;\nrecord A { x: int32; } é\n",
    ];
    for (const text of texts) expect(compare(text)).toBe("fell back");
    const deepest = `package a;\nrecord A { x: ${"map<string, ".repeat(50)}int32${"[]>".repeat(50)}; }\n`;
    expect(compare(deepest)).toBe("fast");
  });
});
