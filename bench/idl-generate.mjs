/**
 * How fast `svcgen generate` turns a 100k-line IDL (see idl-corpus.mjs) into formatted
 * TypeScript: loading and checking (loadProgram), then emitting and formatting every module
 * (generateFiles), each timed separately, after a warm-up on a small corpus (prettier and
 * the JIT loaded). Run after `npm run build`:
 *
 *   node bench/idl-generate.mjs [--json] [--quick]
 *
 * --quick uses a 20k-line corpus. --json prints one JSON line for bench/run.mjs instead of
 * the table: `lines` and `totalMs` (so lines/s), plus the parts as extra numbers.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { generateFiles, loadProgram } from "../packages/svcgen/dist/index.js";
import { makeIdl, writeIdl } from "./idl-corpus.mjs";

const json = process.argv.includes("--json");
const quick = process.argv.includes("--quick");
const LINES = quick ? 20_000 : 100_000;
const WARM_UP_LINES = 2_000;

/** loadProgram + generateFiles over the corpus in `dir`, with wall and CPU times. */
async function measure(dir) {
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  const program = await loadProgram([dir]);
  const loaded = performance.now();
  const loadCpu = process.cpuUsage(cpuStart);
  if (!program.model) {
    throw new Error(`the corpus has errors: ${program.diagnostics[0]?.message}`);
  }
  const files = await generateFiles(program.model, { root: program.root });
  const generated = performance.now();
  const cpu = process.cpuUsage(cpuStart);
  const ms = (usage) => (usage.user + usage.system) / 1000;
  return {
    files: program.model.files.length,
    outputLines: files.reduce((n, f) => n + f.text.split("\n").length - 1, 0),
    loadMs: loaded - started,
    generateMs: generated - loaded,
    totalMs: generated - started,
    cpuMs: ms(cpu),
    // CPU time is the steadier measure on a busy machine.
    loadCpuMs: ms(loadCpu),
    generateCpuMs: ms(cpu) - ms(loadCpu),
  };
}

const folder = await mkdtemp(path.join(tmpdir(), "svcgen-generate-bench-"));
try {
  await writeIdl(path.join(folder, "warm-up"), WARM_UP_LINES);
  await measure(path.join(folder, "warm-up"));
  const dir = path.join(folder, "corpus");
  await writeIdl(dir, LINES);
  const lines = makeIdl(LINES).reduce((n, f) => n + f.text.split("\n").length - 1, 0);
  const result = await measure(dir);
  const heapMiB = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
  if (json) {
    console.log(
      JSON.stringify({
        lines,
        totalMs: Math.round(result.totalMs),
        loadMs: Math.round(result.loadMs),
        generateMs: Math.round(result.generateMs),
        cpuMs: Math.round(result.cpuMs),
        loadCpuMs: Math.round(result.loadCpuMs),
        generateCpuMs: Math.round(result.generateCpuMs),
        files: result.files,
        outputLines: result.outputLines,
        heapMiB,
      }),
    );
  } else {
    console.table([
      {
        "IDL lines": lines,
        "IDL files": result.files,
        "output lines": result.outputLines,
        "load ms": Math.round(result.loadMs),
        "generate ms": Math.round(result.generateMs),
        "total ms": Math.round(result.totalMs),
        "load cpu ms": Math.round(result.loadCpuMs),
        "generate cpu ms": Math.round(result.generateCpuMs),
        "heap MiB": heapMiB,
      },
    ]);
  }
} finally {
  await rm(folder, { recursive: true, force: true });
}
