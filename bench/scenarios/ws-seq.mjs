import { sequentialCalls } from "../lib/workloads.mjs";
import { wsPeers } from "./peers.mjs";

/** One client, one call at a time: the round-trip cost of a call. */
export default {
  id: "ws-seq",
  title: "Sequential calls over WebSocket",
  description:
    "One connection calls `add(a, b)` and waits for each answer before the next call. " +
    "Throughput is calls per second; p50/p99 are the latencies of single calls.",
  unit: "ops/s",
  better: "higher",
  baseline: "raw-ws",
  transport: "ws",
  contenders: [...wsPeers, "svcgen-msgpack"],
  metrics: [
    { key: "p50", unit: "ms", better: "lower" },
    { key: "p99", unit: "ms", better: "lower" },
  ],
  params: (quick) =>
    quick ? { warmupMs: 50, durationMs: 250 } : { warmupMs: 300, durationMs: 1000 },
  async measure({ contender, port, params }) {
    const client = await contender.connect(port, { transport: "ws" });
    try {
      return await sequentialCalls(client, params);
    } finally {
      await client.close();
    }
  },
};
