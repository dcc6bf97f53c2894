/**
 * One server process of the scale benchmark: an RpcServer on a Redis backplane with the
 * Members service, its limits raised for the connections it is meant to hold. It reports
 * its port and node id to the benchmark, answers its questions (memory, broadcast, calls
 * across nodes), and exits when the benchmark goes away.
 *
 *   node --expose-gc node-main.mjs   (env SCALE_REDIS_URL, SCALE_PREFIX, SCALE_MAX_CONNECTIONS)
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { RpcServer } from "@svcgen/runtime";
import { redisBackplane } from "@svcgen/redis";
import { now } from "./clock.mjs";
import { serveQuestions } from "./ipc.mjs";
import { Members, MemberDescriptor, groupName } from "./service.mjs";

const maxConnections = Number(process.env.SCALE_MAX_CONNECTIONS);

// Never outlive the benchmark (it was killed, or crashed): an orphan would hold its port.
process.on("disconnect", () => process.exit(0));

const server = new RpcServer({
  logger: {
    info() {},
    warn: (message, fields) => console.error(`[node] ${message}`, fields ?? ""),
    error: (message, fields) => console.error(`[node] ${message}`, fields ?? ""),
  },
  limits: {
    maxConnections,
    // The benchmark opens connections as fast as the machine allows: no storm protection.
    upgradesPerSecond: maxConnections,
    upgradeBurst: maxConnections,
  },
  backplane: redisBackplane({
    url: process.env.SCALE_REDIS_URL,
    prefix: process.env.SCALE_PREFIX,
    // A dozen processes share two cores: a node's fan-out to its members (one synchronous
    // loop) can hold its event loop, and its heartbeat, for many seconds without the node
    // being dead. At 15 s, a run of 50,000 saw live nodes declared lost.
    nodeTimeoutMs: 60_000,
  }),
});
const group = server.group(groupName, MemberDescriptor);
server.register(new Members(group));
const { port } = await server.listen({ port: 0, host: "127.0.0.1" });

/** The CPU profiler of this process (--profile: the connecting phase only). */
let profiler;

serveQuestions({
  async startProfile() {
    profiler = new Session();
    profiler.connect();
    await profiler.post("Profiler.enable");
    await profiler.post("Profiler.start");
    return true;
  },
  async stopProfile({ file }) {
    const { profile } = await profiler.post("Profiler.stop");
    profiler.disconnect();
    writeFileSync(file, JSON.stringify(profile));
    return file;
  },
  memory() {
    const cpu = process.cpuUsage();
    // Twice: the first collection may only promote what the second can free.
    globalThis.gc?.();
    globalThis.gc?.();
    const usage = process.memoryUsage();
    return {
      rss: usage.rss,
      heapUsed: usage.heapUsed,
      external: usage.external,
      gc: typeof globalThis.gc === "function",
      cpuMicros: cpu.user + cpu.system,
      connections: server.webSocketStats.sockets,
      members: group.size,
    };
  },
  clusterSize: () => group.clusterSize(),
  cpu() {
    const cpu = process.cpuUsage();
    return cpu.user + cpu.system;
  },
  broadcast({ n }) {
    const sentAt = now();
    const local = group.broadcast.tick(n, sentAt);
    return { sentAt, local };
  },
  /** Awaited `answer` on every ref at once: total time and each call's latency. */
  async call({ refs, question }) {
    const started = now();
    const outcomes = await Promise.all(
      refs.map(async (ref) => {
        const begun = now();
        try {
          await server.callback(ref, MemberDescriptor).answer(question);
          return { ms: now() - begun };
        } catch (error) {
          const reason = error?.data?.reason ?? error?.code ?? "error";
          return { ms: now() - begun, error: `${reason}: ${error?.message}` };
        }
      }),
    );
    return { totalMs: now() - started, outcomes };
  },
});

process.send({ type: "ready", port, nodeId: server.nodeId });
