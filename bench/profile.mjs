#!/usr/bin/env node
/**
 * CPU-profiles one scenario of one contender (svcgen by default): server and client run
 * under `node --cpu-prof`, then the functions with the most self time are listed for each.
 *
 *   node bench/profile.mjs <scenario> [contender] [--quick] [--trace-gc]
 *
 * `--trace-gc` prints the server's collections: an old space that grows scavenge after
 * scavenge until a mark-compact means objects outlive their request (see FINDINGS.md).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join, relative } from "node:path";
import { measureOnce } from "./lib/children.mjs";
import { topFunctions } from "./lib/cpu-profile.mjs";
import { generateBenchService } from "./lib/generated.mjs";
import { loadScenario } from "./scenarios/index.mjs";

const benchDir = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const traceGc = args.includes("--trace-gc");
const [scenarioId, contender = "svcgen"] = args.filter((arg) => !arg.startsWith("--"));
if (!scenarioId) {
  process.stderr.write(
    "usage: node bench/profile.mjs <scenario> [contender] [--quick] [--trace-gc]\n",
  );
  process.exit(2);
}

const scenario = await loadScenario(scenarioId);
const generateWarning = await generateBenchService();
if (generateWarning) process.stdout.write(`warning: ${generateWarning}\n`);
const profileDir = join(benchDir, ".work", "profiles", `${scenarioId}-${contender}`);
rmSync(profileDir, { recursive: true, force: true });
const dirs = { server: join(profileDir, "server"), client: join(profileDir, "client") };
for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });

const outcome = await measureOnce(
  scenario,
  contender,
  scenario.params(quick, { maxConnections: 2000 }),
  {
    timeoutMs: 300_000,
    serverArgs: ["--cpu-prof", "--cpu-prof-dir", dirs.server, ...(traceGc ? ["--trace-gc"] : [])],
    clientArgs: ["--cpu-prof", "--cpu-prof-dir", dirs.client],
  },
);
process.stdout.write(`${scenarioId} ${contender}: ${JSON.stringify(outcome)}\n`);

for (const [side, dir] of Object.entries(dirs)) {
  for (const file of readdirSync(dir).filter((name) => name.endsWith(".cpuprofile"))) {
    const path = join(dir, file);
    process.stdout.write(`\n${side} (${relative(process.cwd(), path)}): top self time\n`);
    for (const row of topFunctions(JSON.parse(readFileSync(path, "utf8")), 25)) {
      process.stdout.write(`${row.percent.toFixed(1).padStart(5)}%  ${row.name}\n`);
    }
  }
}
