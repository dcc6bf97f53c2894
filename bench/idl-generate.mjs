/**
 * How fast `svcgen generate` turns a 100k-line IDL (see idl-corpus.mjs) into TypeScript:
 * loading and checking (loadProgram), then emitting and formatting every module
 * (generateFiles), each timed separately. Run after `npm run build`:
 * node bench/idl-generate.mjs
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { generateFiles, loadProgram } from "../packages/svcgen/dist/index.js";
import { writeIdl } from "./idl-corpus.mjs";

const LINES = 100_000;

const folder = await mkdtemp(path.join(tmpdir(), "svcgen-generate-bench-"));
try {
  await writeIdl(folder, LINES);
  const started = performance.now();
  const program = await loadProgram([folder]);
  const loaded = performance.now();
  if (!program.model) {
    throw new Error(`the corpus has errors: ${program.diagnostics[0]?.message}`);
  }
  const files = await generateFiles(program.model, { root: program.root });
  const generated = performance.now();
  const outputLines = files.reduce((n, f) => n + f.text.split("\n").length - 1, 0);
  console.table([
    {
      "IDL files": program.model.files.length,
      "output lines": outputLines,
      "load ms": Math.round(loaded - started),
      "generate ms": Math.round(generated - loaded),
      "total ms": Math.round(generated - started),
      "heap MiB": Math.round(process.memoryUsage().heapUsed / 2 ** 20),
    },
  ]);
} finally {
  await rm(folder, { recursive: true, force: true });
}
