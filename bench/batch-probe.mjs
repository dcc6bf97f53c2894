#!/usr/bin/env node
/**
 * Coalesced frames A/B: the svcgen bench server in a child process, and a client that is
 * plain (no session), a session without batch, or a session with batch (the default).
 *
 *   node bench/batch-probe.mjs pipelined <plain|sessions|batch>   64 calls in flight, 1.5 s;
 *                                                                 frames per call both ways
 *   node bench/batch-probe.mjs push <plain|sessions|batch>        30,000 oneway pushes, twice
 *   node bench/batch-probe.mjs seq <plain|sessions|batch>         one call at a time, 1.5 s;
 *                                                                 p50/p99 and frames per call
 *
 * Run `npm run build` first (it imports packages/runtime/dist). Interleave modes and repeat:
 * on a shared machine one run means little.
 */
import { fork } from "node:child_process";
import WebSocket from "ws";

const [scenario, mode] = process.argv.slice(2);

/** Counts `ws` sends in this process (every frame written, either side). */
function countFrames() {
  const counter = { frames: 0 };
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (...args) {
    counter.frames++;
    return send.apply(this, args);
  };
  return counter;
}

if (scenario === "server") {
  const counter = countFrames();
  const { startServer } = await import("./contenders/svcgen.mjs");
  const { port } = await startServer();
  process.send({ port });
  process.on("message", () => {
    const { user, system } = process.cpuUsage();
    process.send({ frames: counter.frames, cpuMicros: user + system });
  });
} else {
  if (
    !["pipelined", "push", "seq"].includes(scenario) ||
    !["plain", "sessions", "batch"].includes(mode)
  ) {
    process.stderr.write(
      "usage: node bench/batch-probe.mjs <pipelined|push|seq> <plain|sessions|batch>\n",
    );
    process.exit(2);
  }
  const child = fork(new URL(import.meta.url), ["server"]);
  const { port } = await new Promise((resolve) => child.once("message", resolve));
  const counter = countFrames();
  const { connectWith } = await import("./contenders/svcgen.mjs");
  const options =
    mode === "plain" ? { sessions: false } : { sessions: true, batch: mode === "batch" };
  const client = await connectWith(port, { transport: "ws" }, options);
  if (scenario === "pipelined") {
    const lanes = Number(process.env.PROBE_LANES ?? 64);
    for (let i = 0; i < 200; i++)
      await Promise.all(Array.from({ length: lanes }, () => client.add(1, 2)));
    const clientCpu = process.cpuUsage();
    child.send("frames");
    const before = await new Promise((resolve) => child.once("message", resolve));
    const framesBefore = counter.frames;
    let calls = 0;
    const end = performance.now() + 1500;
    const lane = async () => {
      while (performance.now() < end) {
        await client.add(1, 2);
        calls++;
      }
    };
    await Promise.all(Array.from({ length: lanes }, lane));
    const clientUsed = process.cpuUsage(clientCpu);
    child.send("frames");
    const server = await new Promise((resolve) => child.once("message", resolve));
    const perCall = (frames) => (frames / calls).toFixed(3);
    const cpuPerCall = (micros) => (micros / calls).toFixed(1);
    console.log(
      `${mode}: ${(calls / 1.5).toFixed(0)} ops/s, frames per call: client ${perCall(counter.frames - framesBefore)}, server ${perCall(server.frames - before.frames)}; ` +
        `CPU µs per call: client ${cpuPerCall(clientUsed.user + clientUsed.system)}, server ${cpuPerCall(server.cpuMicros - before.cpuMicros)}`,
    );
  } else if (scenario === "seq") {
    for (let i = 0, n = Number(process.env.PROBE_WARMUP ?? 2000); i < n; i++)
      await client.add(1, 2);
    const counted = { client: counter.frames, clientCpu: process.cpuUsage() };
    child.send("frames");
    const before = await new Promise((resolve) => child.once("message", resolve));
    counted.server = before.frames;
    counted.serverCpu = before.cpuMicros;
    const latencies = [];
    const end = performance.now() + 1500;
    while (performance.now() < end) {
      const started = performance.now();
      await client.add(1, 2);
      latencies.push(performance.now() - started);
    }
    child.send("frames");
    const server = await new Promise((resolve) => child.once("message", resolve));
    latencies.sort((a, b) => a - b);
    const at = (q) => latencies[Math.floor(q * (latencies.length - 1))].toFixed(3);
    const perCall = (frames, before) => ((frames - before) / latencies.length).toFixed(3);
    const clientCpu = process.cpuUsage(counted.clientCpu);
    const cpuPerCall = (micros) => (micros / latencies.length).toFixed(1);
    console.log(
      `${mode}: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, frames per call: client ${perCall(counter.frames, counted.client)}, server ${perCall(server.frames, counted.server)}; ` +
        `CPU µs per call: client ${cpuPerCall(clientCpu.user + clientCpu.system)}, server ${cpuPerCall(server.cpuMicros - counted.serverCpu)}`,
    );
  } else {
    const run = async (count) => {
      let received = 0;
      let done;
      const all = new Promise((resolve) => (done = resolve));
      const started = performance.now();
      await client.push(count, "x".repeat(16), () => ++received === count && done());
      await all;
      return count / ((performance.now() - started) / 1000);
    };
    await run(10_000);
    const rates = [await run(30_000), await run(30_000)];
    console.log(`${mode}: ${rates.map((rate) => rate.toFixed(0)).join(", ")} msgs/s`);
  }
  await client.close();
  child.kill();
}
