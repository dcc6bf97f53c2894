import { callsInFlight, closeAll, connectMany } from "../lib/workloads.mjs";
import { wsPeers } from "./peers.mjs";

/** Many connections at once: the server's per-connection overhead under load. */
export default {
  id: "ws-50-clients",
  title: "50 WebSocket clients, 8 calls in flight each",
  description: "50 connections each keep 8 `add` calls outstanding; throughput of all together.",
  unit: "ops/s",
  better: "higher",
  baseline: "raw-ws",
  transport: "ws",
  contenders: wsPeers,
  params: (quick) =>
    quick
      ? { clients: 50, inFlight: 8, warmupMs: 50, durationMs: 250 }
      : { clients: 50, inFlight: 8, warmupMs: 300, durationMs: 1000 },
  async measure({ contender, port, params }) {
    const clients = await connectMany(contender, port, params.clients, { transport: "ws" });
    try {
      return await callsInFlight(clients, params);
    } finally {
      await closeAll(clients);
    }
  },
};
