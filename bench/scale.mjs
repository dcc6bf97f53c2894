#!/usr/bin/env node
/**
 * The scale benchmark: 100,000 WebSocket connections, each holding a callback in one
 * cluster group, over four server processes joined by a private redis-server, on this
 * machine. Reports connections per second, server memory per connection, the time for one
 * broadcast to reach every member, and an awaited call to 1,000 members on other nodes.
 *
 *   node bench/scale.mjs [--connections N] [--quick] [--nodes N] [--generators N]
 *                        [--calls N] [--broadcasts N] [--out file] [--no-build] [--profile]
 *
 * --quick is 2,000 connections (the smoke test). --profile takes CPU profiles of every
 * server process while connecting and during the broadcasts, and lists their top functions
 * (bench/.work/profiles/scale/). Writes bench/scale-results.json
 * (--quick: bench/.work/scale-results.json). Exits non-zero when a connection, a broadcast
 * delivery or a call failed, or a phase ran out of time.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { topFunctions } from "./lib/cpu-profile.mjs";
import { describeMachine } from "./lib/machine.mjs";
import { checkSourceAddress, meminfo, planRun, tcpSockstat } from "./scale/machine-limits.mjs";
import { startChild, stopAll } from "./scale/processes.mjs";
import { ask } from "./scale/ipc.mjs";
import { findRedisServer, startRedis } from "./scale/redis.mjs";
import { printReport, summarizeRun } from "./scale/report.mjs";

const benchDir = dirname(fileURLToPath(import.meta.url));
const rootDir = dirname(benchDir);

const { values: options } = parseArgs({
  options: {
    connections: { type: "string" },
    quick: { type: "boolean", default: false },
    nodes: { type: "string" },
    generators: { type: "string" },
    calls: { type: "string" },
    broadcasts: { type: "string" },
    out: { type: "string" },
    "no-build": { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
  },
});

const quick = options.quick;
const connections = positive("connections", options.connections ?? (quick ? "2000" : "100000"));
const calls = positive("calls", options.calls ?? "1000");
const broadcasts = positive("broadcasts", options.broadcasts ?? "3");
const profileDir = join(benchDir, ".work/profiles/scale");
const outFile = options.out
  ? resolve(options.out)
  : join(benchDir, quick ? ".work/scale-results.json" : "scale-results.json");

// Every phase is bounded; the whole run too, whatever hangs.
// Connecting must keep up at least 50/s (a machine shared with other work may be slow).
const connectTimeoutMs = Math.max(60_000, (connections / 50) * 1000);
const phaseTimeoutMs = 60_000;
const runTimeoutMs = connectTimeoutMs + 6 * phaseTimeoutMs;
/** What the run is doing now, for the watchdog's message. */
let phase = "starting";
const watchdog = setTimeout(() => {
  fail(`the run took longer than ${Math.round(runTimeoutMs / 1000)} s in all (${phase}); stopped`);
}, runTimeoutMs);
watchdog.unref();

const plan = planRun({
  connections,
  nodes: options.nodes ? positive("nodes", options.nodes) : 4,
  nodesGiven: options.nodes !== undefined,
  generators: options.generators ? positive("generators", options.generators) : 0,
  generatorsGiven: options.generators !== undefined,
});
const redisPath = findRedisServer();
if (redisPath === undefined) {
  plan.problems.push("redis-server is not installed: bash scripts/install-redis.sh");
}
const sourceProblem = await checkSourceAddress(plan.sources[0][0]);
if (sourceProblem) plan.problems.push(sourceProblem);
for (const note of plan.notes) log(`note: ${note}`);
if (plan.problems.length > 0) {
  fail(`cannot run ${connections} connections here:\n  - ${plan.problems.join("\n  - ")}`);
}

if (!options["no-build"]) build();
if (options.profile) rmSync(profileDir, { recursive: true, force: true });
log(
  `${connections} connections over ${plan.nodes} server processes, from ${plan.generators} ` +
    `load generators on ${plan.sources.flat().length} source addresses (${plan.sources[0][0]}…); ` +
    `source ports ${plan.limits.sourcePorts}, fd hard limit ${plan.limits.fdHardLimit}`,
);

const problems = [];
const raw = { plan, connections, quick };
let redis;
try {
  redis = await startRedis(redisPath);
  raw.redisBefore = await redis.info("memory");
  raw.kernelBefore = { sockstat: tcpSockstat(), slab: meminfo().Slab };

  const perNode = Math.ceil(connections / plan.nodes);
  const prefix = `scale${process.pid}`;
  const nodes = await Promise.all(
    Array.from({ length: plan.nodes }, (_, i) =>
      startChild(
        "node-main.mjs",
        `server ${i}`,
        {
          SCALE_REDIS_URL: redis.url,
          SCALE_PREFIX: prefix,
          // Room above its share: connections are spread evenly, retries may land anywhere.
          SCALE_MAX_CONNECTIONS: String(perNode + 1000),
        },
        30_000,
      ),
    ),
  );
  const generators = await Promise.all(
    Array.from({ length: plan.generators }, (_, g) =>
      startChild("generator-main.mjs", `load generator ${g}`, {}, 30_000),
    ),
  );
  // Every node's subscription to the group is active a few ms after it started.
  await new Promise((resolve) => setTimeout(resolve, 200));
  raw.memoryBefore = await askAll(nodes, { kind: "memory" });
  raw.generatorMemoryBefore = await askAll(generators, { kind: "memory" });
  raw.loadBefore = loadavg();

  // ---- connecting ----------------------------------------------------------------
  phase = "connecting";
  if (options.profile) await askAll(nodes, { kind: "startProfile" });
  log(`connecting ${connections}…`);
  const ports = nodes.map((node) => node.ready.port);
  const shares = split(connections, plan.generators);
  let first = 0;
  const connectedAt = Date.now();
  const stopProgress = reportProgress(generators, connections);
  raw.connect = await Promise.all(
    generators.map((generator, g) => {
      const count = shares[g];
      const question = {
        kind: "connect",
        ports,
        count,
        first,
        sources: plan.sources[g],
        perSource: plan.perSource,
        firstPort: plan.sourcePorts.low,
        concurrency: Math.max(4, Math.min(64, Math.ceil(count / 50))),
        attempts: 3,
        timeoutMs: connectTimeoutMs,
      };
      first += count;
      return ask(generator.child, generator.label, question, connectTimeoutMs + phaseTimeoutMs);
    }),
  );
  stopProgress();
  const joined = raw.connect.reduce((sum, part) => sum + part.joined, 0);
  log(`${joined} of ${connections} joined in ${((Date.now() - connectedAt) / 1000).toFixed(1)} s`);
  if (joined < connections) problems.push(`${connections - joined} connections failed`);
  if (options.profile) await stopProfiles(nodes, "connecting");

  phase = "measuring memory";
  // Counts written to Redis are coalesced per turn; wait until every node's are in.
  raw.clusterSize = await waitFor(
    () => ask(nodes[0].child, nodes[0].label, { kind: "clusterSize" }, phaseTimeoutMs),
    (size) => size >= joined,
    10_000,
  );
  if (raw.clusterSize !== joined) {
    problems.push(`clusterSize() says ${raw.clusterSize} members, ${joined} joined`);
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
  raw.memoryAfter = await askAll(nodes, { kind: "memory" });
  raw.generatorMemory = await askAll(generators, { kind: "memory" });
  raw.redisAfter = await redis.info("memory");
  raw.loadAfter = loadavg();
  raw.kernelAfter = { sockstat: tcpSockstat(), slab: meminfo().Slab };

  // ---- broadcasts ------------------------------------------------------------------
  phase = "broadcasting";
  raw.broadcasts = [];
  const cpuBefore = await cpuOf(nodes, generators);
  if (options.profile) await askAll(nodes, { kind: "startProfile" });
  for (let n = 1; n <= broadcasts; n++) {
    const sent = await ask(
      nodes[0].child,
      nodes[0].label,
      { kind: "broadcast", n },
      phaseTimeoutMs,
    );
    const received = await Promise.all(
      generators.map((generator) =>
        ask(
          generator.child,
          generator.label,
          { kind: "received", n, timeoutMs: phaseTimeoutMs - 5_000 },
          phaseTimeoutMs,
        ),
      ),
    );
    raw.broadcasts.push({ n, sent, received });
    const reached = received.reduce((sum, part) => sum + part.received, 0);
    if (reached < joined) problems.push(`broadcast ${n} reached ${reached} of ${joined}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  raw.broadcastCpu = cpuSpent(cpuBefore, await cpuOf(nodes, generators));
  if (options.profile) await stopProfiles(nodes, "broadcasts");

  // ---- awaited calls across nodes ------------------------------------------------
  phase = "calling across nodes";
  if (plan.nodes > 1) {
    const wanted = Math.ceil(calls / plan.generators);
    const refs = (
      await Promise.all(
        generators.map((generator) =>
          ask(
            generator.child,
            generator.label,
            { kind: "refs", excludeNode: 0, max: wanted },
            phaseTimeoutMs,
          ),
        ),
      )
    )
      .flat()
      .slice(0, calls);
    if (refs.length < calls) problems.push(`only ${refs.length} members on other nodes to call`);
    const cpuBeforeCalls = await cpuOf(nodes, generators);
    raw.calls = await ask(
      nodes[0].child,
      nodes[0].label,
      { kind: "call", refs: refs.map((r) => r.ref), question: "ping" },
      phaseTimeoutMs,
    );
    raw.calls.nodes = [...new Set(refs.map((r) => r.node))].length;
    raw.calls.cpu = cpuSpent(cpuBeforeCalls, await cpuOf(nodes, generators));
    const callFailures = raw.calls.outcomes.filter((o) => o.error !== undefined).length;
    if (callFailures > 0) problems.push(`${callFailures} of ${refs.length} awaited calls failed`);
  }
  raw.redisEnd = await redis.info("memory");

  await Promise.all(
    generators.map((g) => ask(g.child, g.label, { kind: "close" }, phaseTimeoutMs)),
  );
} catch (error) {
  problems.push(error.message);
} finally {
  await stopAll();
  redis?.stop();
}

const results = summarizeRun(raw, problems, describeMachine());
printReport(results, log);
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, JSON.stringify(results, null, 2) + "\n");
log(`wrote ${outFile}`);
if (options.profile) printProfiles();
process.exit(problems.length === 0 ? 0 : 1);

// ---- helpers ---------------------------------------------------------------------------

function askAll(children, question) {
  return Promise.all(children.map((c) => ask(c.child, c.label, question, phaseTimeoutMs)));
}

/** Writes each server's profile of `phase` (since its startProfile). */
async function stopProfiles(nodes, phase) {
  mkdirSync(profileDir, { recursive: true });
  await Promise.all(
    nodes.map((node, i) => {
      const file = join(profileDir, `${phase}-server-${i}.cpuprofile`);
      return ask(node.child, node.label, { kind: "stopProfile", file }, phaseTimeoutMs);
    }),
  );
}

/** CPU microseconds each process used so far. */
async function cpuOf(nodes, generators) {
  return {
    servers: await askAll(nodes, { kind: "cpu" }),
    generators: await askAll(generators, { kind: "cpu" }),
  };
}

/** CPU ms spent between two `cpuOf` readings, all servers and all generators. */
function cpuSpent(before, after) {
  const spent = (side) => after[side].reduce((sum, us, i) => sum + us - before[side][i], 0) / 1000;
  return { serversMs: spent("servers"), generatorsMs: spent("generators") };
}

/** Logs every 10 s how many connections joined so far; returns the function that stops it. */
function reportProgress(generators, target) {
  const latest = generators.map(() => ({ joined: 0, failed: 0 }));
  const listeners = generators.map(({ child }, g) => {
    const listener = (message) => {
      if (message?.type === "progress") latest[g] = message;
    };
    child.on("message", listener);
    return listener;
  });
  let previous = 0;
  const timer = setInterval(() => {
    const joined = latest.reduce((sum, p) => sum + p.joined, 0);
    const failed = latest.reduce((sum, p) => sum + p.failed, 0);
    log(
      `  ${joined} of ${target} joined (${Math.round((joined - previous) / 10)}/s over 10 s), ${failed} failed`,
    );
    previous = joined;
  }, 10_000);
  return () => {
    clearInterval(timer);
    generators.forEach(({ child }, g) => child.off("message", listeners[g]));
  };
}

/** Asks `probe` until `done(value)` or `limitMs`; resolves with the last value. */
async function waitFor(probe, done, limitMs) {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function split(total, parts) {
  return Array.from(
    { length: parts },
    (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0),
  );
}

function positive(name, text) {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1)
    fail(`--${name}: expected a positive integer, got ${text}`);
  return value;
}

function build() {
  const result = spawnSync("npx", ["tsc", "-b", "packages/runtime", "packages/redis"], {
    cwd: rootDir,
    encoding: "utf8",
  });
  if (result.status !== 0) {
    log("warning: the build failed; measuring whatever is in packages/*/dist");
    log((result.stdout + result.stderr).split("\n").slice(0, 10).join("\n"));
  }
}

/** The server processes' top functions by self time. */
function printProfiles() {
  for (const file of readdirSync(profileDir).filter((name) => name.endsWith(".cpuprofile"))) {
    const path = join(profileDir, file);
    log(`\n${relative(rootDir, path)}: top self time`);
    for (const row of topFunctions(JSON.parse(readFileSync(path, "utf8")), 20)) {
      log(`${row.percent.toFixed(1).padStart(5)}%  ${row.name}`);
    }
  }
}

function log(line) {
  process.stdout.write(`${line}\n`);
}

function fail(message) {
  process.stderr.write(`bench:scale: ${message}\n`);
  process.exit(1);
}
