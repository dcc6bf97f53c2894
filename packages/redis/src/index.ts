/** @svcgen/redis — the Redis backplane for RpcServer's `backplane` option. */
export { redisBackplane, RedisBackplane } from "./redis-backplane.js";
export type { RedisBackplaneOptions } from "./redis-backplane.js";
