/** Hostile input never crashes the front end: it yields diagnostics or a usage error. */
import { afterEach, expect, test } from "@jest/globals";
import { loadProgram, UsageError } from "svcgen";
import type { Program } from "svcgen";
import { tempTree } from "./helpers.js";

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function check(text: string | Uint8Array): Promise<Program> {
  const made = await tempTree({ "input.svc": text });
  cleanup = made.remove;
  return loadProgram([made.path("input.svc")]);
}

const codes = (program: Program) => program.diagnostics.map((d) => [d.line, d.column, d.code]);

test("a 5 MB file parses and checks", async () => {
  const name = "f".repeat(100);
  const lines = ["record Huge {"];
  for (let i = 0; lines.length * 120 < 5_000_000; i++) lines.push(`  ${name}${i}: string;`);
  lines.push("}", "");
  const program = await check(lines.join("\n"));
  expect(program.diagnostics).toEqual([]);
  expect(program.model?.declarations.get("Huge")).toBeDefined();
});

test("a megabyte of garbage yields a bounded list of errors", async () => {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pieces = 'a record enum { } ( ) ; : , < > [ ] @ " * map string ? . \n 0 $ #'.split(" ");
  let text = "";
  while (text.length < 1_000_000) text += pieces[Math.floor(random() * pieces.length)] + " ";
  const program = await check(text);
  expect(program.diagnostics.length).toBeGreaterThan(0);
  expect(program.diagnostics.length).toBeLessThanOrEqual(110);
  expect(program.diagnostics.at(-1)?.code).toBe("SVC1009");
  expect(program.model).toBeUndefined();
});

test("10,000 nested maps: one diagnostic, no stack overflow", async () => {
  const depth = 10_000;
  const program = await check(
    `record Deep {\n  x: ${"map<string, ".repeat(depth)}int32${">".repeat(depth)};\n}\n`,
  );
  expect(codes(program)).toEqual([[2, 6 + 12 * 100, "SVC1006"]]);
});

test("10,000 nested lists and unclosed maps are reported too", async () => {
  const lists = await check(`record R { x: int32${"[]".repeat(10_000)}; }`);
  expect(codes(lists).map(([, , code]) => code)).toEqual(["SVC1006"]);
  const unclosed = await check(`record R { x: ${"map<string, ".repeat(50)}int32; }`);
  expect(unclosed.diagnostics.map((d) => d.message)).toEqual(['expected ">" but found ";"']);
});

test("a NUL byte is an unexpected character, and parsing goes on", async () => {
  const program = await check("record A {}\n\u0000\nrecord B { x: Nope; }\n");
  expect(program.diagnostics.map((d) => [d.line, d.code, d.message])).toEqual([
    [2, "SVC1002", 'unexpected character "\\u0000"'],
    [3, "SVC2003", 'unknown type "Nope"'],
  ]);
});

test("CRLF line ends: lines count right and docs carry no carriage return", async () => {
  const program = await check("/// Doc.\r\nrecord A {\r\n  x: int32;\r\n  y: Missing;\r\n}\r\n");
  expect(codes(program)).toEqual([[4, 6, "SVC2003"]]);
  const clean = await check("/// Doc line one.\r\n/// Two.\r\nrecord A {}\r\n");
  expect(clean.model?.declarations.get("A")?.doc).toBe("Doc line one.\nTwo.");
});

test("a byte order mark is skipped: columns on the first line start after it", async () => {
  const program = await check("\uFEFFrecord A { x: Missing; }");
  expect(codes(program)).toEqual([[1, 15, "SVC2003"]]);
  const clean = await check("\uFEFFpackage p;\nrecord A {}\n");
  expect(clean.diagnostics).toEqual([]);
});

test("an unterminated block comment is one error at its start", async () => {
  const program = await check("record A {}\n  /* never closed\nrecord B {}\n");
  expect(codes(program)).toEqual([[2, 3, "SVC1004"]]);
});

test("a file that is not UTF-8 is a usage error, not a crash", async () => {
  await expect(check(Uint8Array.from([0x72, 0xff, 0xfe, 0x00]))).rejects.toThrow(UsageError);
  await expect(check(Uint8Array.from([0x72, 0xff, 0xfe, 0x00]))).rejects.toThrow(
    /input\.svc: not valid UTF-8 text$/,
  );
});

test("an empty file and a file of only comments are valid and empty", async () => {
  expect((await check("")).model?.files[0]?.declarations).toEqual([]);
  expect((await check("// nothing\n/* here */\n/// at all\n")).diagnostics).toEqual([]);
});

test("columns count UTF-16 code units: an emoji is two columns", async () => {
  const program = await check("/* 😀 */ record A { x: Nope; }");
  expect(codes(program)).toEqual([[1, 24, "SVC2003"]]);
  expect(program.diagnostics[0]?.endColumn).toBe(28);
});
