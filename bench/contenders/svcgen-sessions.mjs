/**
 * svcgen with sessions but without coalesced frames: the same server and client as
 * ./svcgen.mjs, the client asking for a resumable session (every message sequenced, kept
 * until acknowledged) with `batch: false`, so one message per frame. Run beside
 * "svcgen-plain" to measure what sessions cost, and beside "svcgen" (the default: sessions
 * and coalesced frames) to see what coalescing gains.
 */
import { connectWith } from "./svcgen.mjs";

export { startServer } from "./svcgen.mjs";

export function connect(port, options) {
  return connectWith(port, options, { sessions: true, batch: false });
}
