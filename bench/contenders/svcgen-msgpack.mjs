/**
 * svcgen over `svc.msgpack`: the same server and client as ./svcgen.mjs (a session with
 * coalesced frames, as `connectWebSocket` opens it by default), the client offering
 * MessagePack (binary frames, values in the MessagePack flavor). Run beside "svcgen" to
 * compare the two encodings on the same calls.
 */
import { connectWith } from "./svcgen.mjs";

export { startServer } from "./svcgen.mjs";

export function connect(port, options) {
  return connectWith(port, options, { sessions: true, batch: true, encoding: "msgpack" });
}
