/**
 * One node of `npm run demo -- --nodes N` (forked by cluster.ts): the example server on a
 * Redis backplane. Reports its URL to the parent and stops when the parent goes away.
 */
import { redisBackplane } from "@svcgen/redis";
import { startExampleServer } from "../server.js";

const server = await startExampleServer({
  port: Number(process.env["DEMO_PORT"] ?? 0),
  host: process.env["DEMO_HOST"] ?? "127.0.0.1",
  rpc: {
    logger: false,
    backplane: redisBackplane({
      url: process.env["DEMO_REDIS_URL"]!,
      prefix: process.env["DEMO_PREFIX"] ?? "demo",
    }),
  },
});
process.send!({ url: server.url });
const stop = (): void => void server.close().finally(() => process.exit(0));
process.on("disconnect", stop);
process.on("SIGTERM", stop);
// Ctrl+C reaches the whole process group: the parent stops the nodes in order.
process.on("SIGINT", () => undefined);
