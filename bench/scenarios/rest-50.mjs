import { callsInFlight, closeAll, connectMany } from "../lib/workloads.mjs";
import { restPeers } from "./peers.mjs";

/** Many HTTP clients at once: the server's request path under concurrency. */
export default {
  id: "rest-50",
  title: "50 REST clients",
  description: "50 clients each call `add` sequentially over their own keep-alive connection.",
  unit: "ops/s",
  better: "higher",
  baseline: "raw-http",
  transport: "http",
  contenders: restPeers,
  params: (quick) =>
    quick
      ? { clients: 50, inFlight: 1, warmupMs: 50, durationMs: 250 }
      : { clients: 50, inFlight: 1, warmupMs: 300, durationMs: 1000 },
  async measure({ contender, port, params }) {
    const clients = await connectMany(contender, port, params.clients, { transport: "http" });
    try {
      return await callsInFlight(clients, params);
    } finally {
      await closeAll(clients);
    }
  },
};
