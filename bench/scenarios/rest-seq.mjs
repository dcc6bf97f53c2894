import { sequentialCalls } from "../lib/workloads.mjs";
import { restPeers } from "./peers.mjs";

/** Stateless HTTP calls one after another on a keep-alive connection. */
export default {
  id: "rest-seq",
  title: "Sequential REST calls",
  description:
    "One client POSTs `/bench.Bench/add` with a JSON body and waits for each answer " +
    "(keep-alive; svcgen through `connectHttp`, the baseline through an undici Pool).",
  unit: "ops/s",
  better: "higher",
  baseline: "raw-http",
  transport: "http",
  contenders: restPeers,
  metrics: [{ key: "p50", unit: "ms", better: "lower" }],
  params: (quick) =>
    quick ? { warmupMs: 50, durationMs: 250 } : { warmupMs: 300, durationMs: 1000 },
  async measure({ contender, port, params }) {
    const client = await contender.connect(port, { transport: "http" });
    try {
      const { value, extra } = await sequentialCalls(client, params);
      return { value, extra: { p50: extra.p50 } };
    } finally {
      await client.close();
    }
  },
};
