/**
 * svcgen with sessions on: the same server and client as ./svcgen.mjs, the client asking for
 * a resumable session (every message sequenced, kept until acknowledged). Run beside
 * "svcgen" to measure what sessions cost.
 */
import { connectWith } from "./svcgen.mjs";

export { startServer } from "./svcgen.mjs";

export function connect(port, options) {
  return connectWith(port, options, { sessions: true });
}
