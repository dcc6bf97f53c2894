/**
 * A node of the multi-node suite as a process of its own (bundled and forked by
 * cluster.ts): starts the feed on a Redis backplane, reports its port and node id to the
 * parent, and exits when the parent goes away.
 */
import { startNode } from "./node.js";

const node = await startNode({
  redisUrl: process.env["SCALE_REDIS_URL"]!,
  prefix: process.env["SCALE_PREFIX"]!,
});
process.send!({ port: node.port, nodeId: node.server.nodeId });
process.on("disconnect", () => {
  void node.server.close().finally(() => process.exit(0));
});
