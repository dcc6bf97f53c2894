/**
 * How fast `loadProgram` checks big IDL: 10k, 50k and 100k-line corpora (see idl-corpus.mjs),
 * timed after a warm-up run, and how long the whole `svcgen check` command takes on them
 * (a fresh process each time: start-up, reading, parsing, checking). Goal: 1,000,000 lines
 * checked by `svcgen check` in under 3 s, growing linearly. Run after `npm run build`:
 *
 *   node bench/idl-check.mjs [--json] [--quick] [--lines <n>]
 *
 * --quick checks one 5k-line corpus; --lines checks one corpus of about n lines (the goal:
 * `--lines 1000000`). --json prints, instead of the table, one JSON line for bench/run.mjs:
 * `value` (lines/s of the best run on the largest corpus), `unit`, `better`, and `extra`
 * (wall and CPU ms of that run and the median `svcgen check` command; ms per 1k lines per
 * size, to show linearity).
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadProgram } from "../packages/svcgen/dist/index.js";
import { makeIdl, writeIdl } from "./idl-corpus.mjs";

const json = process.argv.includes("--json");
const quick = process.argv.includes("--quick");
const linesArg = process.argv.indexOf("--lines");
const SIZES =
  linesArg > 0 ? [Number(process.argv[linesArg + 1])] : quick ? [5_000] : [10_000, 50_000, 100_000];
const RUNS = quick ? 2 : 3;
/** A first, untimed check of `dir` (JIT warm-up); its file and declaration counts. */
async function countWarm(dir, lines) {
  const warm = await loadProgram([dir]);
  if (!warm.model) {
    throw new Error(`corpus of ${lines} lines has errors: ${warm.diagnostics[0]?.message}`);
  }
  return { files: warm.model.files.length, declarations: warm.model.declarations.size };
}

const cliModule = new URL("../packages/svcgen/dist/cli.js", import.meta.url).href;

const folder = await mkdtemp(path.join(tmpdir(), "svcgen-idl-bench-"));
try {
  const rows = [];
  for (const lines of SIZES) rows.push(await measureSize(lines));
  if (json) console.log(JSON.stringify(summary(rows)));
  else console.table(rows);
} finally {
  await rm(folder, { recursive: true, force: true });
}

/** The best and median of RUNS checks of a corpus of about `lines` lines, after a warm-up. */
async function measureSize(lines) {
  const dir = path.join(folder, String(lines));
  await writeIdl(dir, lines);
  const actualLines = makeIdl(lines).reduce((n, f) => n + f.text.split("\n").length - 1, 0);
  // Only the counts of the warm-up are kept: its model alive would weigh on every timed run.
  const { files, declarations } = await countWarm(dir, lines);
  // Wall time and CPU time: on a busy machine the CPU time is the steadier measure.
  const walls = [];
  const cpus = [];
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    await loadProgram([dir]);
    const cpu = process.cpuUsage(cpuStart);
    walls.push(performance.now() - start);
    cpus.push((cpu.user + cpu.system) / 1000);
  }
  const cli = [];
  for (let run = 0; run < RUNS; run++) cli.push(await checkCommand(dir));
  const best = Math.min(...walls);
  const bestCpu = Math.min(...cpus);
  return {
    lines: actualLines,
    files,
    declarations,
    "best wall ms": Math.round(best),
    "best cpu ms": Math.round(bestCpu),
    "median wall ms": Math.round(median(walls)),
    "median cpu ms": Math.round(median(cpus)),
    "wall ms per 1k lines": +((best / actualLines) * 1000).toFixed(2),
    "svcgen check median wall ms": Math.round(median(cli.map((run) => run.wallMs))),
    "svcgen check median cpu ms": Math.round(median(cli.map((run) => run.cpuMs))),
  };
}

/**
 * One `svcgen check <dir>` in a new process, as a user runs it; the process reports its own
 * CPU time (user + system, every thread) when the command has finished.
 */
function checkCommand(dir) {
  const script = `
    const { main } = await import(${JSON.stringify(cliModule)});
    const code = await main(["check", ${JSON.stringify(dir)}]);
    const cpu = process.cpuUsage();
    process.stderr.write("\\n" + JSON.stringify({ code, cpuMs: (cpu.user + cpu.system) / 1000 }));
  `;
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "ignore", "pipe"],
      cwd: fileURLToPath(new URL("..", import.meta.url)),
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", () => {
      const wallMs = performance.now() - start;
      try {
        const report = JSON.parse(stderr.slice(stderr.lastIndexOf("\n") + 1));
        if (report.code !== 0) throw new Error(`svcgen check exited with ${report.code}`);
        resolve({ wallMs, cpuMs: report.cpuMs });
      } catch (error) {
        reject(new Error(`svcgen check failed: ${error.message}\n${stderr}`));
      }
    });
  });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The result bench/run.mjs reads: throughput on the largest corpus, the rest as extras. */
function summary(rows) {
  const largest = rows[rows.length - 1];
  const extra = {
    wallMs: largest["best wall ms"],
    cpuMs: largest["best cpu ms"],
    commandWallMs: largest["svcgen check median wall ms"],
    commandCpuMs: largest["svcgen check median cpu ms"],
  };
  for (const row of rows) {
    extra[`msPer1kLines${Math.round(row.lines / 1000)}k`] = row["wall ms per 1k lines"];
  }
  return {
    value: Math.round(largest.lines / (largest["best wall ms"] / 1000)),
    unit: "lines/s",
    better: "higher",
    extra,
  };
}
