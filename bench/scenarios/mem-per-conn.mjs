import { closeAll, connectMany } from "../lib/workloads.mjs";

/** What an idle subscriber costs the server: the number that sizes a deployment. */
export default {
  id: "mem-per-conn",
  title: "Server memory per idle connection with one registered callback",
  description:
    "The server's heap (+ external buffers) and RSS are read after two forced collections, " +
    "before and after N clients connect and each registers one callback (`subscribe`). " +
    "The value is heap growth divided by N; RSS growth per connection is shown beside it.",
  unit: "bytes/conn",
  better: "lower",
  baseline: "raw-ws",
  transport: "ws",
  contenders: [
    "svcgen",
    "svcgen-sessions",
    "svcgen-plain",
    "raw-ws",
    "rpc-websockets",
    "socket.io",
    "trpc",
    "grpc",
  ],
  unsupported: {
    trpc: "not run: no broadcast group written for tRPC",
  },
  metrics: [{ key: "rss", unit: "bytes/conn", better: "lower" }],
  params: (quick, limits) => ({ connections: quick ? 200 : limits.maxConnections }),
  async measure({ contender, port, params, askServer }) {
    const before = await askServer("memory");
    const clients = await connectMany(contender, port, params.connections, { transport: "ws" });
    try {
      await Promise.all(clients.map((client) => client.subscribe(() => {})));
      // Let the server finish per-connection work (timers, buffers) before reading.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const after = await askServer("memory");
      return {
        value: (after.heap - before.heap) / clients.length,
        extra: { rss: (after.rss - before.rss) / clients.length },
      };
    } finally {
      await closeAll(clients);
    }
  },
};
