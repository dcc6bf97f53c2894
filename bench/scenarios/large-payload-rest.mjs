import { callsInFlight, closeAll, connectMany } from "../lib/workloads.mjs";
import { checkedRows } from "./large-payload.mjs";
import { restPeers } from "./peers.mjs";

/** The large answers over REST: response writing and body reading of ~4 KB. */
export default {
  id: "large-payload-rest",
  title: "Large answers over REST (50 rows, ~4 KB)",
  description:
    "8 clients each call `rows(50)` sequentially over their own keep-alive connection; each " +
    "answer is the large-payload scenario's 50 rows (~4.5 KB of JSON).",
  unit: "ops/s",
  better: "higher",
  baseline: "raw-http",
  transport: "http",
  contenders: restPeers,
  maxRuns: 3,
  params: (quick) =>
    quick
      ? { rows: 50, clients: 8, inFlight: 1, warmupMs: 50, durationMs: 250 }
      : { rows: 50, clients: 8, inFlight: 1, warmupMs: 300, durationMs: 1000 },
  async measure({ contender, port, params }) {
    const clients = await connectMany(contender, port, params.clients, { transport: "http" });
    try {
      return await callsInFlight(clients, params, (client) => checkedRows(client, params.rows));
    } finally {
      await closeAll(clients);
    }
  },
};
