import { checkRows } from "../contenders/rows.mjs";
import { callsInFlight } from "../lib/workloads.mjs";
import { binaryPeers, wsPeers } from "./peers.mjs";

/** Answers of ~4 KB: encoding and decoding dominate, where a binary encoding should show. */
export default {
  id: "large-payload",
  title: "Large answers over one WebSocket (50 rows, ~4 KB)",
  description:
    "One connection keeps 8 `rows(50)` calls outstanding; each answer is a list of 50 records " +
    "of six fields (~4.5 KB as JSON), the same rows every time. svcgen decodes them against " +
    "the schema; the MessagePack rows (svcgen on `svc.msgpack`, socket.io with its " +
    "MessagePack parser) send binary frames.",
  unit: "ops/s",
  better: "higher",
  baseline: "raw-ws",
  transport: "ws",
  // tRPC left out: its JSON row says nothing the others do not, and the full run must stay
  // within its time budget (hence also 3 runs, not 5).
  contenders: [...wsPeers.filter((name) => name !== "trpc"), ...binaryPeers],
  maxRuns: 3,
  params: (quick) =>
    quick
      ? { rows: 50, inFlight: 8, warmupMs: 50, durationMs: 250 }
      : { rows: 50, inFlight: 8, warmupMs: 300, durationMs: 1000 },
  async measure({ contender, port, params }) {
    const client = await contender.connect(port, { transport: "ws" });
    try {
      return await callsInFlight([client], params, (each) => checkedRows(each, params.rows));
    } finally {
      await client.close();
    }
  },
};

export async function checkedRows(client, count) {
  checkRows(await client.rows(count), count);
}
