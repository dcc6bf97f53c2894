/**
 * svcgen as a plain JSON-RPC connection: the same server and client as ./svcgen.mjs, with
 * `reconnect: false` (nothing to resume, so no session and one message per frame), as a
 * client that never sends `$/session` sees the server.
 */
import { connectWith } from "./svcgen.mjs";

export { startServer } from "./svcgen.mjs";

export function connect(port, options) {
  return connectWith(port, options, { sessions: false });
}
