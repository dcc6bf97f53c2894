/**
 * A load generator of the scale benchmark: holds its share of the connections, each a raw
 * `ws` client (no compression) speaking hand-written JSON-RPC: `scale.Members.join` with
 * callback "m", then it counts `tick` callbacks with their arrival time and answers
 * `answer` requests at once. Each generator binds its own source addresses (127.x.y.z)
 * and picks each connection's source port itself, below the ephemeral range (see
 * machine-limits.mjs).
 */
import WebSocket from "ws";
import { now } from "./clock.mjs";
import { serveQuestions } from "./ipc.mjs";

process.on("disconnect", () => process.exit(0));

const joinFrame = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "scale.Members.join",
  params: { member: "m" },
});

/** Every connection that joined: { socket, node, ref }. */
const members = [];
/** Per broadcast n: how many members have it, and when the last one came (per node). */
const ticks = new Map();
/** Waiters for a broadcast to reach every open member here. */
const tickWaiters = new Map();
let open = 0;
let nodeCount = 0;

function tickOf(n) {
  let tick = ticks.get(n);
  if (tick === undefined) {
    tick = { count: 0, lastAt: 0, perNodeLast: new Array(nodeCount).fill(0) };
    ticks.set(n, tick);
  }
  return tick;
}

function onTick(member, n, at) {
  const tick = tickOf(n);
  tick.count++;
  if (at > tick.lastAt) tick.lastAt = at;
  if (at > tick.perNodeLast[member.node]) tick.perNodeLast[member.node] = at;
  if (tick.count >= open) tickWaiters.get(n)?.();
}

function onFrame(member, data) {
  const at = now();
  let message;
  try {
    message = JSON.parse(data.toString());
  } catch {
    return;
  }
  if (message.method === "$/callback") {
    const params = message.params;
    if (message.id !== undefined) {
      member.socket.send(`{"jsonrpc":"2.0","id":${JSON.stringify(message.id)},"result":"ok"}`);
    } else if (params?.method === "tick") onTick(member, params.args.n, at);
    return;
  }
  if (message.id === 1) member.onJoined?.(message);
}

/** Opens one connection and joins; resolves with the member or rejects with a reason. */
function connectOne(url, node, localAddress, localPort, timeoutMs) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, {
      perMessageDeflate: false,
      localAddress,
      localPort,
      handshakeTimeout: timeoutMs,
    });
    const member = { socket, node, ref: undefined, onJoined: undefined };
    let settled = false;
    const fail = (reason) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.terminate();
      reject(new Error(reason));
    };
    const timer = setTimeout(() => fail("join timed out"), timeoutMs);
    socket.on("unexpected-response", (_req, res) => fail(`HTTP ${res.statusCode}`));
    socket.on("error", (error) => fail(error.code ?? error.message));
    socket.on("message", (data) => onFrame(member, data));
    socket.on("open", () => socket.send(joinFrame));
    socket.on("close", () => {
      if (settled && member.ref !== undefined) open--;
      fail("closed before joining");
    });
    member.onJoined = (message) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      member.onJoined = undefined;
      if (message.error !== undefined) {
        socket.terminate();
        reject(new Error(`join answered ${message.error.code}`));
        return;
      }
      member.ref = message.result;
      open++;
      resolve(member);
    };
  });
}

const sum = (values) => values.reduce((a, b) => a + b, 0);

serveQuestions({
  /**
   * Opens `count` connections, `concurrency` at a time, connection i to node
   * (first + i) % nodes, each from a fresh (address, port) of `sources` × [firstPort,
   * firstPort + perSource). Failed ones are tried again up to `attempts` times in all.
   */
  async connect({
    ports,
    count,
    first,
    sources,
    perSource,
    firstPort,
    concurrency,
    attempts,
    timeoutMs,
  }) {
    nodeCount = ports.length;
    const perNode = ports.map(() => ({ joined: 0, firstAt: 0, lastAt: 0 }));
    const failures = {};
    let retries = 0;
    let next = 0;
    const startedAt = now();
    const deadline = startedAt + timeoutMs;
    // Each attempt binds a pair never used before in this run: the ports of the first
    // address, then of the next.
    let pairs = 0;
    const nextPair = () => {
      const k = Math.floor(pairs / perSource);
      if (k >= sources.length) return undefined;
      const port = firstPort + (pairs++ % perSource);
      return { address: sources[k], port };
    };
    /** One connection on a fresh pair; a port something else holds is skipped. */
    async function connectFresh(url, node) {
      for (;;) {
        const pair = nextPair();
        if (pair === undefined) throw new Error("out of source ports");
        try {
          // Nothing outlasts the deadline by more than a few seconds.
          const left = Math.max(1_000, deadline - now());
          return await connectOne(url, node, pair.address, pair.port, Math.min(30_000, left));
        } catch (error) {
          if (error.message !== "EADDRINUSE") throw error;
        }
      }
    }
    async function slot() {
      while (next < count && now() < deadline) {
        const i = next++;
        const node = (first + i) % ports.length;
        const url = `ws://127.0.0.1:${ports[node]}/ws`;
        const stats = perNode[node];
        if (stats.firstAt === 0) stats.firstAt = now();
        for (let attempt = 1; attempt <= attempts; attempt++) {
          try {
            const member = await connectFresh(url, node);
            members.push(member);
            stats.joined++;
            stats.lastAt = now();
            break;
          } catch (error) {
            const reason = error.message;
            if (attempt === attempts || now() >= deadline) {
              failures[reason] = (failures[reason] ?? 0) + 1;
              break;
            }
            retries++;
            await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
          }
        }
      }
    }
    // The benchmark prints progress: a long connecting phase must not look hung.
    const progress = setInterval(() => {
      process.send?.({
        type: "progress",
        joined: members.length,
        failed: sum(Object.values(failures)),
      });
    }, 2_000);
    await Promise.all(Array.from({ length: concurrency }, slot));
    clearInterval(progress);
    const unstarted = count - next;
    if (unstarted > 0) failures["not started before the deadline"] = unstarted;
    return {
      joined: members.length,
      open,
      failures,
      retries,
      perNode,
      startedAt,
      finishedAt: now(),
    };
  },
  /** Up to `max` refs of members on nodes other than `excludeNode`, spread over the nodes. */
  refs({ excludeNode, max }) {
    const refs = [];
    for (const member of members) {
      if (refs.length >= max) break;
      if (member.node !== excludeNode && member.socket.readyState === WebSocket.OPEN) {
        refs.push({ node: member.node, ref: JSON.parse(member.ref) });
      }
    }
    return refs;
  },
  /** Resolves when broadcast `n` reached every open member here, or at `timeoutMs`. */
  async received({ n, timeoutMs }) {
    const tick = tickOf(n);
    if (tick.count < open) {
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        tickWaiters.set(n, () => {
          clearTimeout(timer);
          resolve();
        });
      });
      tickWaiters.delete(n);
    }
    return {
      received: tick.count,
      expected: open,
      lastAt: tick.lastAt,
      perNodeLast: tick.perNodeLast,
    };
  },
  cpu() {
    const cpu = process.cpuUsage();
    return cpu.user + cpu.system;
  },
  memory() {
    const cpu = process.cpuUsage();
    return {
      rss: process.memoryUsage().rss,
      members: members.length,
      cpuMicros: cpu.user + cpu.system,
    };
  },
  /** Drops every connection with a TCP reset: no TIME_WAIT left holding source ports. */
  close() {
    for (const { socket } of members) {
      const raw = socket._socket;
      if (raw && !raw.destroyed) raw.resetAndDestroy();
      else socket.terminate();
    }
    return members.length;
  },
});

process.send({ type: "ready" });
