#!/usr/bin/env node
/**
 * Heap census per idle connection: what mem-per-conn's number is made of. The contender's
 * server runs in a child process; N clients connect from another and each registers one
 * callback (as in mem-per-conn); heap snapshots of the server before and after are compared,
 * object by object, grouped by type and name and by what holds them (owner.edge).
 *
 *   node bench/heap-census.mjs <contender> [connections=500]    TOP=60 rows by default
 *
 * Compiled code (`code:` rows) is the JIT's, made once per process, not per connection: with
 * more connections it thins out.
 */
import v8 from "node:v8";
import { readFileSync, rmSync } from "node:fs";
import { fork } from "node:child_process";
const [mode = "svcgen", N = "500"] = process.argv.slice(2);
if (mode === "client") {
  const [, , , , contenderName, port, n] = process.argv;
  const { connect } = await import(`./contenders/${contenderName}.mjs`);
  const clients = [];
  for (let i = 0; i < Number(n); i++)
    clients.push(await connect(Number(port), { transport: "ws" }));
  await Promise.all(clients.map((c) => c.subscribe(() => {})));
  process.send("ready");
  await new Promise(() => {});
}
if (mode === "server") {
  const { startServer } = await import(`./contenders/${process.argv[4]}.mjs`);
  const { port } = await startServer();
  process.send({ port });
  process.on("message", (file) => {
    gc();
    gc();
    v8.writeHeapSnapshot(file);
    process.send("written");
  });
  await new Promise(() => {});
}
const server = fork(new URL(import.meta.url), ["server", "x", mode], { execArgv: ["--expose-gc"] });
const { port } = await new Promise((r) => server.once("message", r));
async function snapshot(file) {
  server.send(file);
  await new Promise((r) => server.once("message", r));
  return JSON.parse(readFileSync(file, "utf8"));
}
async function census(file) {
  let snap = await snapshot(file);
  const meta = snap.snapshot.meta,
    n = meta.node_fields.length,
    ef = meta.edge_fields.length;
  const types = meta.node_types[0],
    etypes = meta.edge_types[0];
  const { nodes, edges, strings } = snap;
  const parent = new Int32Array(nodes.length / n).fill(-1),
    pedge = new Array(nodes.length / n);
  for (let i = 0, e = 0; i < nodes.length; i += n) {
    const from = i / n,
      end = e + nodes[i + 4] * ef;
    for (; e < end; e += ef) {
      const to = edges[e + 2] / n,
        et = etypes[edges[e]];
      if (et === "weak" || parent[to] !== -1) continue;
      parent[to] = from;
      pedge[to] = et === "element" || et === "hidden" ? "[]" : strings[edges[e + 1]];
    }
  }
  const label = (i) => {
    const t = types[nodes[i * n]];
    return /string/.test(t) ? "(string)" : `${t}:${strings[nodes[i * n + 1]].slice(0, 40)}`;
  };
  const agg = new Map();
  for (let i = 0; i < nodes.length / n; i++) {
    const p = parent[i];
    const key = `${label(i)}  <-  ${p >= 0 ? label(p) : "?"}.${pedge[i] ?? ""}`;
    const e = agg.get(key) ?? [0, 0];
    e[0]++;
    e[1] += nodes[i * n + 3];
    agg.set(key, e);
  }
  snap = undefined;
  return agg;
}
const before = await census(`/tmp/heap-census-before-${process.pid}.heapsnapshot`);
const child = fork(new URL(import.meta.url), ["client", "x", mode, String(port), N]);
await new Promise((r) => child.once("message", r));
await new Promise((r) => setTimeout(r, 300));
const after = await census(`/tmp/heap-census-after-${process.pid}.heapsnapshot`);
const rows = [];
for (const [k, [c, s]] of after) {
  const [bc, bs] = before.get(k) ?? [0, 0];
  if (s - bs > 0 && (c - bc) / N > 0.3) rows.push([k, (c - bc) / N, (s - bs) / N]);
}
rows.sort((a, b) => b[2] - a[2]);
let total = 0;
for (const r of rows) total += r[2];
const jit = rows
  .filter((r) => /^(code|object shape):/.test(r[0]))
  .reduce((sum, r) => sum + r[2], 0);
console.log(
  `${mode}: ${total.toFixed(0)} B per connection in rows of ≥ 0.3 objects per connection, ` +
    `${(total - jit).toFixed(0)} B without compiled code and shapes`,
);
for (const r of rows.slice(0, Number(process.env.TOP ?? 60)))
  console.log(`${r[2].toFixed(0).padStart(6)} B ${r[1].toFixed(2).padStart(5)}×  ${r[0]}`);
child.kill();
server.kill();
rmSync(`/tmp/heap-census-before-${process.pid}.heapsnapshot`);
rmSync(`/tmp/heap-census-after-${process.pid}.heapsnapshot`);
process.exit(0);
