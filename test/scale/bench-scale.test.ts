/**
 * `npm run bench:scale -- --quick` runs end to end: 2,000 connections over four server
 * processes on a private redis-server, every one of them reached by each broadcast and
 * 1,000 awaited calls across nodes answered. Keeps the benchmark script from rotting; its
 * figures are not judged here (timing belongs to the benchmark, not to a test).
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "@jest/globals";
import { withRedis } from "../support/redis-server.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const limitMs = 170_000;

interface Run {
  readonly code: number | null;
  readonly output: string;
}

function runQuick(out: string): Promise<Run> {
  return new Promise((resolve) => {
    // --no-build: `npm test` has just built the packages the script imports.
    const child = spawn(
      process.execPath,
      ["bench/scale.mjs", "--quick", "--no-build", "--out", out],
      {
        cwd: root,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

withRedis("bench:scale --quick", () => {
  let dir: string;
  let run: Run;
  let results: any;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "svcgen-bench-scale-"));
    const out = join(dir, "scale-results.json");
    run = await runQuick(out);
    results = JSON.parse(await readFile(out, "utf8").catch(() => "null"));
  }, limitMs + 10_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("exits 0 and prints its figures", () => {
    expect({ code: run.code, output: run.output }).toMatchObject({ code: 0 });
    expect(run.output).toMatch(/connecting: 2000\/2000/);
    expect(run.output).toMatch(/server memory per connection: RSS/);
    expect(run.output).toMatch(/broadcast 1: 2000\/2000 in/);
    expect(run.output).toMatch(/awaited calls: 1000 members on 3 other nodes/);
  });

  it("connects every client to one of four nodes, all of them members of the group", () => {
    expect(results).toMatchObject({
      ok: true,
      problems: [],
      params: { connections: 2000, nodes: 4 },
    });
    expect(results.connect).toMatchObject({ connected: 2000, failed: 0, clusterSize: 2000 });
    expect(results.connect.perNode.map((n: { connections: number }) => n.connections)).toEqual([
      500, 500, 500, 500,
    ]);
    expect(results.memory.perNode).toHaveLength(4);
  });

  it("reaches all 2,000 with every broadcast, and answers 1,000 awaited calls across nodes", () => {
    for (const round of results.broadcast.rounds) {
      expect(round).toMatchObject({ reached: 2000, expected: 2000 });
      expect(round.perNodeMs).toHaveLength(4);
    }
    expect(results.calls).toMatchObject({ count: 1000, nodes: 3, failed: 0 });
  });
});
