/**
 * The tests' redis-server (examples/demo/redis-process.ts: a free port on 127.0.0.1, no
 * persistence, stopped at the end, restartable mid-test), and `withRedis` for the suites
 * that need one.
 */
import { redisServerPath } from "../../examples/demo/redis-process.js";
import { outsideProgram, type Describe } from "./outside-program.js";

export { RedisServer, freePort, redisServerPath } from "../../examples/demo/redis-process.js";

/**
 * `describe` for suites that need redis-server: skipped with a one-line notice when it is
 * missing, a failure under CI (test/support/outside-program.ts).
 */
export const withRedis: Describe = outsideProgram(
  "redis-server",
  redisServerPath,
  "bash scripts/install-redis.sh",
);
