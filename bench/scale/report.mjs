/**
 * Turns what the processes of the scale benchmark answered into its figures (the object
 * written to bench/scale-results.json) and prints them.
 */
import { quantile, round } from "../lib/stats.mjs";

export const goals = { rssPerConnection: 16 * 1024, broadcastMs: 2000 };

export function summarizeRun(raw, problems, machine) {
  const { plan } = raw;
  const results = {
    machine,
    params: {
      connections: raw.connections,
      nodes: plan.nodes,
      generators: plan.generators,
      sourceAddresses: plan.sources.flat().length,
      quick: raw.quick,
    },
    limits: { ...plan.limits, notes: plan.notes },
    loadAverage: { before: raw.loadBefore, after: raw.loadAfter },
    ok: problems.length === 0,
    problems,
  };
  // A run cut short still reports the phases it finished.
  const figure = (key, present, make) => {
    if (!present) return;
    try {
      results[key] = make(raw);
    } catch (error) {
      problems.push(`${key}: incomplete figures (${error.message})`);
    }
  };
  figure("connect", raw.connect, connectFigures);
  figure("memory", raw.memoryAfter, memoryFigures);
  figure("broadcast", raw.broadcasts?.length, broadcastFigures);
  figure("calls", raw.calls?.outcomes, callFigures);
  figure("redis", raw.redisAfter, redisFigures);
  figure("kernel", raw.kernelAfter, kernelFigures);
  results.ok = problems.length === 0;
  return results;
}

function connectFigures(raw) {
  const parts = raw.connect;
  const joined = sum(parts.map((p) => p.joined));
  const startedAt = Math.min(...parts.map((p) => p.startedAt));
  const lastAt = Math.max(...parts.flatMap((p) => p.perNode.map((n) => n.lastAt)));
  const seconds = (lastAt - startedAt) / 1000;
  const failures = {};
  for (const part of parts) {
    for (const [reason, count] of Object.entries(part.failures)) {
      failures[reason] = (failures[reason] ?? 0) + count;
    }
  }
  const perNode = raw.plan.nodes
    ? Array.from({ length: raw.plan.nodes }, (_, node) => {
        const stats = parts.map((p) => p.perNode[node]).filter((s) => s && s.joined > 0);
        const count = sum(stats.map((s) => s.joined));
        const span =
          (Math.max(...stats.map((s) => s.lastAt)) - Math.min(...stats.map((s) => s.firstAt))) /
          1000;
        return { node, connections: count, seconds: round(span), perSecond: round(count / span) };
      })
    : [];
  return {
    target: raw.connections,
    connected: joined,
    seconds: round(seconds),
    perSecond: round(joined / seconds),
    failed: sum(Object.values(failures)),
    failures,
    retries: sum(parts.map((p) => p.retries)),
    clusterSize: raw.clusterSize,
    perNode,
  };
}

function memoryFigures(raw) {
  const perNode = raw.memoryAfter.map((after, node) => {
    const before = raw.memoryBefore[node];
    const connections = after.members - before.members;
    const rss = after.rss - before.rss;
    const heap = after.heapUsed + after.external - (before.heapUsed + before.external);
    return {
      node,
      connections,
      rssBytes: after.rss,
      heapBytes: after.heapUsed + after.external,
      rssPerConnection: Math.round(rss / connections),
      heapPerConnection: Math.round(heap / connections),
    };
  });
  const connections = sum(perNode.map((n) => n.connections));
  const rssGrowth = sum(raw.memoryAfter.map((a, i) => a.rss - raw.memoryBefore[i].rss));
  const heapGrowth = sum(
    raw.memoryAfter.map(
      (a, i) =>
        a.heapUsed + a.external - raw.memoryBefore[i].heapUsed - raw.memoryBefore[i].external,
    ),
  );
  const rssPerConnection = Math.round(rssGrowth / connections);
  const clientRss = sum(raw.generatorMemory.map((g) => g.rss));
  const serverCpu = sum(raw.memoryAfter.map((a, i) => a.cpuMicros - raw.memoryBefore[i].cpuMicros));
  const clientCpu = sum(
    raw.generatorMemory.map((g, i) => g.cpuMicros - raw.generatorMemoryBefore[i].cpuMicros),
  );
  return {
    measuredAfterGc: raw.memoryAfter.every((m) => m.gc),
    perNode,
    total: {
      connections,
      rssBytes: sum(perNode.map((n) => n.rssBytes)),
      rssPerConnection,
      heapPerConnection: Math.round(heapGrowth / connections),
    },
    goal: {
      rssPerConnection: goals.rssPerConnection,
      met: rssPerConnection <= goals.rssPerConnection,
    },
    loadGenerators: { rssBytes: clientRss, rssPerConnection: Math.round(clientRss / connections) },
    // CPU spent while connecting (accept, upgrade, join, group count): independent of how
    // busy the machine was, unlike connections per second.
    cpuPerConnectionMs: {
      servers: round(serverCpu / 1000 / connections),
      loadGenerators: round(clientCpu / 1000 / connections),
    },
  };
}

function broadcastFigures(raw) {
  const rounds = raw.broadcasts.map(({ n, sent, received }) => {
    const lastAt = Math.max(...received.map((r) => r.lastAt));
    const perNode = received[0].perNodeLast.map((_, node) =>
      round(Math.max(...received.map((r) => r.perNodeLast[node])) - sent.sentAt),
    );
    return {
      n,
      reached: sum(received.map((r) => r.received)),
      expected: sum(received.map((r) => r.expected)),
      ms: round(lastAt - sent.sentAt),
      perNodeMs: perNode,
    };
  });
  const worst = Math.max(...rounds.map((r) => r.ms));
  const deliveries = sum(rounds.map((r) => r.reached));
  return {
    from: "node 0 (its own members and, through Redis, every other node's)",
    rounds,
    medianMs: round(
      quantile(
        rounds.map((r) => r.ms),
        0.5,
      ),
    ),
    worstMs: worst,
    // CPU per member reached, all broadcasts: writing the frame (servers), reading it (clients).
    cpuPerDeliveryMicros: raw.broadcastCpu && {
      servers: round((raw.broadcastCpu.serversMs * 1000) / deliveries),
      loadGenerators: round((raw.broadcastCpu.generatorsMs * 1000) / deliveries),
    },
    goal: {
      ms: goals.broadcastMs,
      met: worst < goals.broadcastMs && rounds.every((r) => r.reached === r.expected),
    },
  };
}

function callFigures(raw) {
  const { outcomes, totalMs, nodes, cpu } = raw.calls;
  const latencies = outcomes.map((o) => o.ms);
  const failures = {};
  for (const o of outcomes)
    if (o.error !== undefined) failures[o.error] = (failures[o.error] ?? 0) + 1;
  return {
    from: "node 0, to members held by the other nodes, all at once",
    count: outcomes.length,
    nodes,
    totalMs: round(totalMs),
    p50Ms: round(quantile(latencies, 0.5)),
    p99Ms: round(quantile(latencies, 0.99)),
    maxMs: round(Math.max(...latencies)),
    failed: sum(Object.values(failures)),
    failures,
    cpuPerCallMs: cpu && round(cpu.serversMs / outcomes.length),
  };
}

function redisFigures(raw) {
  const before = raw.redisBefore.used_memory;
  const after = raw.redisAfter.used_memory;
  return {
    note: "INFO memory: before the nodes started, after connecting, after the broadcasts and calls",
    usedMemoryBefore: before,
    usedMemoryConnected: after,
    usedMemoryEnd: raw.redisEnd?.used_memory,
    usedMemoryPeak: (raw.redisEnd ?? raw.redisAfter).used_memory_peak,
    rssEnd: (raw.redisEnd ?? raw.redisAfter).used_memory_rss,
    growthWhileConnecting: after - before,
  };
}

function kernelFigures(raw) {
  const { sockstat: before, slab: slabBefore } = raw.kernelBefore;
  const { sockstat: after, slab: slabAfter } = raw.kernelAfter;
  const joined = raw.connect ? sum(raw.connect.map((p) => p.joined)) : 0;
  return {
    note: "whole machine (both ends of every loopback connection; others' work included)",
    tcpSocketsInUse: after && before ? after.inuse - before.inuse : undefined,
    tcpBufferBytes: after && before ? (after.mem - before.mem) * 4096 : undefined,
    slabGrowth: slabAfter - slabBefore,
    slabPerSocket: joined ? Math.round((slabAfter - slabBefore) / (2 * joined)) : undefined,
  };
}

export function printReport(results, log) {
  const { params } = results;
  log("");
  log(
    `scale: ${params.connections} connections, ${params.nodes} server processes + Redis, ${params.generators} load generators`,
  );
  log(`machine: ${results.machine.cpus} × ${results.machine.model}, ${results.machine.node}`);
  const load = results.loadAverage;
  if (load?.before)
    log(
      `load average (1 min): ${load.before[0].toFixed(1)} before, ${load.after?.[0].toFixed(1)} connected`,
    );
  const c = results.connect;
  if (c) {
    log(
      `connecting: ${c.connected}/${c.target} in ${c.seconds} s = ${c.perSecond}/s; ` +
        `${c.failed} failed, ${c.retries} retried${c.failed ? ` ${JSON.stringify(c.failures)}` : ""}`,
    );
    for (const n of c.perNode)
      log(`  node ${n.node}: ${n.connections} in ${n.seconds} s = ${n.perSecond}/s`);
  }
  const m = results.memory;
  if (m) {
    log(
      `server memory per connection: RSS ${kb(m.total.rssPerConnection)}, heap+external ` +
        `${kb(m.total.heapPerConnection)} (goal RSS ≤ ${kb(m.goal.rssPerConnection)}: ` +
        `${m.goal.met ? "met" : "NOT met"}${m.measuredAfterGc ? "" : "; no --expose-gc"})`,
    );
    for (const n of m.perNode) {
      log(
        `  node ${n.node}: ${n.connections} members, RSS ${mib(n.rssBytes)} (${kb(n.rssPerConnection)}/conn), ` +
          `heap ${mib(n.heapBytes)} (${kb(n.heapPerConnection)}/conn)`,
      );
    }
    log(
      `  load generators: RSS ${mib(m.loadGenerators.rssBytes)} (${kb(m.loadGenerators.rssPerConnection)}/conn)`,
    );
    log(
      `CPU per connection while connecting: servers ${m.cpuPerConnectionMs.servers} ms, ` +
        `load generators ${m.cpuPerConnectionMs.loadGenerators} ms`,
    );
  }
  const b = results.broadcast;
  if (b) {
    for (const r of b.rounds) {
      log(
        `broadcast ${r.n}: ${r.reached}/${r.expected} in ${r.ms} ms (last member per node: ` +
          `${r.perNodeMs.map((ms) => `${ms} ms`).join(", ")})`,
      );
    }
    log(
      `  median ${b.medianMs} ms, worst ${b.worstMs} ms (goal < ${b.goal.ms} ms to all: ${b.goal.met ? "met" : "NOT met"})`,
    );
    if (b.cpuPerDeliveryMicros) {
      log(
        `  CPU per member reached: servers ${b.cpuPerDeliveryMicros.servers} µs, ` +
          `load generators ${b.cpuPerDeliveryMicros.loadGenerators} µs`,
      );
    }
  }
  const k = results.calls;
  if (k) {
    log(
      `awaited calls: ${k.count} members on ${k.nodes} other nodes: all answered in ${k.totalMs} ms; ` +
        `p50 ${k.p50Ms} ms, p99 ${k.p99Ms} ms, max ${k.maxMs} ms; ${k.failed} failed` +
        (k.failed ? ` ${JSON.stringify(k.failures)}` : "") +
        (k.cpuPerCallMs !== undefined ? `; servers' CPU ${k.cpuPerCallMs} ms per call` : ""),
    );
  }
  const r = results.redis;
  if (r) {
    log(
      `redis used_memory: ${mib(r.usedMemoryBefore)} before, ${mib(r.usedMemoryConnected)} connected, ` +
        `${mib(r.usedMemoryEnd ?? Number.NaN)} at the end (peak ${mib(r.usedMemoryPeak)})`,
    );
  }
  const kn = results.kernel;
  if (kn) {
    log(
      `kernel (whole machine, others' work included): ${kn.tcpSocketsInUse} TCP sockets more, ` +
        `slab ${mib(kn.slabGrowth)} more (~${kb(kn.slabPerSocket)} per socket)`,
    );
  }
  for (const note of results.limits.notes) log(`note: ${note}`);
  if (results.problems.length > 0) log(`FAILED:\n  - ${results.problems.join("\n  - ")}`);
}

const sum = (values) => values.reduce((a, b) => a + b, 0);
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
