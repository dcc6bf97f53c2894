import { callsInFlight } from "../lib/workloads.mjs";
import { binaryPeers, wsPeers } from "./peers.mjs";

/** One client with many calls outstanding: framing, dispatch and correlation throughput. */
export default {
  id: "ws-pipelined",
  title: "Pipelined calls over one WebSocket (64 in flight)",
  description:
    "One connection keeps 64 `add` calls outstanding, starting a new one as each answers.",
  unit: "ops/s",
  better: "higher",
  baseline: "raw-ws",
  transport: "ws",
  contenders: [...wsPeers, "svcgen-sessions", "svcgen-plain", ...binaryPeers],
  params: (quick) =>
    quick
      ? { inFlight: 64, warmupMs: 50, durationMs: 250 }
      : { inFlight: 64, warmupMs: 300, durationMs: 1000 },
  async measure({ contender, port, params }) {
    const client = await contender.connect(port, { transport: "ws" });
    try {
      return await callsInFlight([client], params);
    } finally {
      await client.close();
    }
  },
};
