/**
 * How fast `loadProgram` checks big IDL: 10k, 50k and 100k-line corpora (see idl-corpus.mjs),
 * timed after a warm-up run. Goal: under 2 s for 100k lines, growing linearly.
 * Run after `npm run build`: node bench/idl-check.mjs
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadProgram } from "../packages/svcgen/dist/index.js";
import { makeIdl, writeIdl } from "./idl-corpus.mjs";

const SIZES = [10_000, 50_000, 100_000];
const RUNS = 3;

const folder = await mkdtemp(path.join(tmpdir(), "svcgen-idl-bench-"));
try {
  const rows = [];
  for (const lines of SIZES) {
    const dir = path.join(folder, String(lines));
    await writeIdl(dir, lines);
    const actualLines = makeIdl(lines).reduce((n, f) => n + f.text.split("\n").length - 1, 0);
    const warm = await loadProgram([dir]);
    if (!warm.model) {
      throw new Error(`corpus of ${lines} lines has errors: ${warm.diagnostics[0]?.message}`);
    }
    // Wall time and CPU time: on a busy machine the CPU time is the steadier measure.
    let best = Infinity;
    let bestCpu = Infinity;
    for (let run = 0; run < RUNS; run++) {
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      await loadProgram([dir]);
      const cpu = process.cpuUsage(cpuStart);
      best = Math.min(best, performance.now() - start);
      bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1000);
    }
    rows.push({
      lines: actualLines,
      files: warm.model.files.length,
      declarations: warm.model.declarations.size,
      "best wall ms": Math.round(best),
      "best cpu ms": Math.round(bestCpu),
      "wall ms per 1k lines": +((best / actualLines) * 1000).toFixed(2),
    });
  }
  console.table(rows);
} finally {
  await rm(folder, { recursive: true, force: true });
}
