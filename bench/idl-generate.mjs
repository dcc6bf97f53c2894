// Generation time for a 100k-line IDL: parse + check (loadProgram), then emit and format
// every module (generateFiles). Run after `npm run build`: `node bench/idl-generate.mjs`.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { makeIdl } from "./idl-corpus.mjs";
import { loadProgram } from "../packages/svcgen/dist/program.js";
import { generateFiles } from "../packages/svcgen/dist/generate/index.js";

const LINES = 100_000;

const dir = await mkdtemp(path.join(os.tmpdir(), "svcgen-bench-"));
try {
  const file = path.join(dir, "big.svc");
  const text = makeIdl(LINES);
  await writeFile(file, text);

  const started = performance.now();
  const program = await loadProgram([file]);
  const loaded = performance.now();
  if (program.model === undefined) {
    throw new Error(`the corpus has ${program.diagnostics.length} diagnostics`);
  }
  const files = await generateFiles(program.model, { root: program.root });
  const generated = performance.now();

  const outputBytes = files.reduce((sum, f) => sum + Buffer.byteLength(f.text), 0);
  const result = {
    lines: text.split("\n").length,
    loadMs: Math.round(loaded - started),
    generateMs: Math.round(generated - loaded),
    totalMs: Math.round(generated - started),
    outputBytes,
    heapMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
  };
  console.log(JSON.stringify(result, null, 2));
} finally {
  await rm(dir, { recursive: true, force: true });
}
