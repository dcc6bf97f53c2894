#!/usr/bin/env node
/**
 * Runs the benchmark set and writes bench/results.json, bench/RESULTS.md and bench/results.svg
 * (with --quick: into bench/.work/, shorter runs, one repetition).
 *
 *   node bench/run.mjs [--quick] [--only id[,id...]] [--runs N] [--no-build] [--out dir]
 *   node bench/run.mjs --report [--out dir]   RESULTS.md and results.svg again from results.json
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import * as prettier from "prettier";
import { createPool, measureOnce } from "./lib/children.mjs";
import { missingPackage } from "./lib/contenders.mjs";
import { runExternal } from "./lib/external.mjs";
import { evaluateGoals } from "./lib/goals.mjs";
import { generateBenchService } from "./lib/generated.mjs";
import { describeMachine } from "./lib/machine.mjs";
import { renderMarkdown } from "./lib/report.mjs";
import { summarize } from "./lib/stats.mjs";
import { renderChart } from "./lib/svg.mjs";
import { loadScenario, scenarioIds } from "./scenarios/index.mjs";

const benchDir = dirname(fileURLToPath(import.meta.url));
const rootDir = dirname(benchDir);

const { values: options } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string", multiple: true },
    runs: { type: "string" },
    "no-build": { type: "boolean", default: false },
    out: { type: "string" },
    report: { type: "boolean", default: false },
  },
});
const quick = options.quick;
const runs = Number(options.runs ?? (quick ? 1 : 5));
const only = options.only?.flatMap((value) => value.split(","));
const selected = only ?? scenarioIds;
for (const id of selected) if (!scenarioIds.includes(id)) fail(`unknown scenario ${id}`);
const outDir = options.out ? resolve(options.out) : quick ? join(benchDir, ".work") : benchDir;
const limits = { maxConnections: connectionLimit() };
const timeoutMs = quick ? 60_000 : 180_000;

const startedAt = performance.now();
let failures = 0;
let machine;
let scenarios = [];
let generateWarning;
// --quick keeps one server and one client process per contender for the whole run (starting
// Node and loading a library costs more than a short measurement); the full run starts fresh
// processes for every measurement.
const pool = quick && !options.report ? createPool() : undefined;
if (options.report) {
  // --report: RESULTS.md and results.svg again from results.json (after FINDINGS.md changed).
  ({ machine, scenarios } = JSON.parse(readFileSync(join(outDir, "results.json"), "utf8")));
} else {
  if (!options["no-build"]) build();
  generateWarning = await generateBenchService();
  log(`built and generated in ${seconds(startedAt)}`);
  log(
    generateWarning
      ? `warning: ${generateWarning}; svcgen runs the hand-written bench-service.mjs`
      : "svcgen runs the code generated from bench.svc",
  );
  machine = describeMachine();
  scenarios = [];
  try {
    if (pool) {
      const preparing = performance.now();
      await pool.prepare(await poolPlan(selected));
      log(`started the contenders' processes in ${seconds(preparing)}`);
    }
    for (const id of selected) {
      const scenario = await loadScenario(id);
      log(`${id}`);
      scenarios.push(await runScenario(scenario));
    }
  } finally {
    const closing = performance.now();
    await pool?.close();
    if (pool) log(`stopped them in ${seconds(closing)}`);
  }
}
const goals = evaluateGoals(scenarios);
for (const scenario of scenarios) {
  scenario.goals = goals.filter((goal) => goal.scenario === scenario.id);
}

mkdirSync(outDir, { recursive: true });
const command = `npm run bench${quick || only ? " --" : ""}${quick ? " --quick" : ""}${only ? ` --only ${only.join(",")}` : ""}`;
if (!options.report) {
  writeFileSync(
    join(outDir, "results.json"),
    JSON.stringify({ machine, scenarios }, null, 2) + "\n",
  );
}
writeFileSync(join(outDir, "results.svg"), renderChart(scenarios));
const findingsFile = join(benchDir, "FINDINGS.md");
const findings = existsSync(findingsFile) ? readFileSync(findingsFile, "utf8") : undefined;
const resultsFile = join(outDir, "RESULTS.md");
writeFileSync(
  resultsFile,
  await formatMarkdown(
    resultsFile,
    renderMarkdown({ machine, scenarios, goals, command, findings, generateWarning }),
  ),
);

log("");
for (const goal of goals) {
  log(
    `${goal.met === null ? "?" : goal.met ? "✓" : "✗"} ${goal.text}: ${goal.ratio?.toFixed(2) ?? "not measured"}`,
  );
}
log(
  `wrote ${relative(rootDir, outDir) || "."}/{results.json,RESULTS.md,results.svg} in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`,
);
if (failures > 0) {
  log(`${failures} measurement(s) failed: see the log above`);
  process.exitCode = 1;
}

/** All repetitions of one scenario, contenders interleaved so drift hits all of them alike. */
async function runScenario(scenario) {
  const params = scenario.params(quick, limits);
  const samples = Object.fromEntries(scenario.contenders.map((name) => [name, []]));
  // Contenders listed for the table that this scenario's workload cannot be written for.
  const unavailable = { ...scenario.unsupported };
  if (scenario.transport !== "none" && scenario.transport !== "external") {
    for (const contender of scenario.contenders) {
      const missing = missingPackage(contender);
      if (missing) {
        unavailable[contender] = missing;
        log(`  ${contender}: ${missing}`);
      }
    }
  }
  // Scripts that repeat inside (idl-check takes the best of 3) need fewer runs of their own.
  const scenarioRuns = Math.min(runs, scenario.maxRuns ?? runs);
  for (let run = 0; run < scenarioRuns; run++) {
    for (const contender of scenario.contenders) {
      if (unavailable[contender]) continue;
      const measureStarted = performance.now();
      const took = () => `(${((performance.now() - measureStarted) / 1000).toFixed(1)} s)`;
      try {
        const outcome =
          scenario.transport === "external"
            ? await runExternal(join(benchDir, scenario.script), {
                quick,
                // On a loaded machine even the --quick corpora can take more than 20 s.
                timeoutMs: quick ? 90_000 : timeoutMs,
              })
            : pool
              ? await pool.measure(scenario, contender, params, { timeoutMs })
              : await measureOnce(scenario, contender, params, { timeoutMs });
        if ("unavailable" in outcome) {
          unavailable[contender] = outcome.unavailable;
          log(`  ${contender}: ${outcome.unavailable}`);
        } else {
          samples[contender].push(outcome);
          log(`  ${contender}: ${formatOutcome(outcome, scenario)} ${took()}`);
        }
      } catch (error) {
        unavailable[contender] = `failed: ${firstLine(error)}`;
        failures++;
        log(`  ${contender}: failed: ${error?.message ?? error}`);
      }
    }
  }
  return summarizeScenario(scenario, params, samples, unavailable);
}

function summarizeScenario(scenario, params, samples, unavailable) {
  const results = {};
  const spread = {};
  const metrics = {};
  for (const metric of scenario.metrics ?? []) {
    metrics[metric.key] = { unit: metric.unit, better: metric.better, results: {}, spread: {} };
  }
  let unit = scenario.unit;
  for (const [contender, outcomes] of Object.entries(samples)) {
    if (outcomes.length === 0) continue; // listed under `unavailable`
    unit = outcomes[0].unit ?? unit;
    const summary = summarize(outcomes.map((outcome) => outcome.value));
    results[contender] = summary.median;
    spread[contender] = summary;
    for (const [key, value] of Object.entries(outcomes[0].extra ?? {})) {
      metrics[key] ??= { unit: "", better: "lower", results: {}, spread: {} };
      const extra = summarize(outcomes.map((outcome) => outcome.extra[key]));
      metrics[key].results[contender] = extra.median;
      metrics[key].spread[contender] = extra;
    }
  }
  const base = scenario.baseline ? results[scenario.baseline] : undefined;
  const ratios = {};
  if (typeof base === "number") {
    for (const [contender, value] of Object.entries(results)) {
      if (typeof value === "number") ratios[contender] = value / base;
    }
  }
  return {
    id: scenario.id,
    title: scenario.title,
    description: scenario.description,
    unit,
    better: scenario.better,
    baseline: scenario.baseline ?? null,
    contenders: scenario.contenders,
    params,
    results,
    spread,
    ratios,
    metrics,
    unavailable,
  };
}

/** Formats as the repository's prettier config says, so the committed report passes the check. */
async function formatMarkdown(file, markdown) {
  const config = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(markdown, { ...config, filepath: file });
}

/** Builds the packages the svcgen contender imports, so a run never measures stale output. */
function build() {
  const result = spawnSync("npx", ["tsc", "-b", "packages/runtime", "packages/svcgen"], {
    cwd: rootDir,
    encoding: "utf8",
  });
  if (result.status !== 0) {
    log("warning: the build failed; measuring whatever is in packages/*/dist");
    log((result.stdout + result.stderr).split("\n").slice(0, 10).join("\n"));
  }
}

/** Connections the mem-per-conn scenario may open: 5,000, or fewer when descriptors are short. */
function connectionLimit() {
  const result = spawnSync("sh", ["-c", "ulimit -n"], { encoding: "utf8" });
  const descriptors = Number.parseInt(result.stdout, 10);
  const limit = Number.isFinite(descriptors) ? Math.min(5000, descriptors - 200) : 5000;
  if (limit < 5000) log(`ulimit -n is ${descriptors}: mem-per-conn uses ${limit} connections`);
  return Math.max(100, limit);
}

/** Every (scenario, contender) pair that will start processes: the pool starts them up front. */
async function poolPlan(ids) {
  const plan = [];
  for (const id of ids) {
    const scenario = await loadScenario(id);
    if (scenario.transport === "external") continue;
    for (const contender of scenario.contenders) {
      if (scenario.unsupported?.[contender]) continue;
      if (scenario.transport === "none" || !missingPackage(contender))
        plan.push({ scenario, contender });
    }
  }
  return plan;
}

function formatOutcome(outcome, scenario) {
  const extra = Object.entries(outcome.extra ?? {})
    .map(([key, value]) => ` ${key}=${value.toPrecision(3)}`)
    .join("");
  return `${outcome.value.toPrecision(4)} ${outcome.unit ?? scenario.unit}${extra}`;
}

function seconds(since) {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

function firstLine(error) {
  return String(error?.message ?? error).split("\n")[0];
}

function log(message) {
  process.stdout.write(`${message}\n`);
}

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}
