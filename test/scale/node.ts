/** One node of a test cluster: an RpcServer on 127.0.0.1:0 with the feed, on a Redis backplane. */
import { RpcServer, type RpcServerOptions } from "@svcgen/runtime";
import { redisBackplane } from "@svcgen/redis";
import { Feed } from "./feed.js";

export interface NodeOptions {
  readonly redisUrl: string;
  readonly prefix: string;
  /** Fast heartbeats for tests: loss is seen within `nodeTimeoutMs`. */
  readonly heartbeatMs?: number;
  readonly nodeTimeoutMs?: number;
  readonly server?: RpcServerOptions;
}

export interface TestNode {
  readonly server: RpcServer;
  readonly wsUrl: string;
  readonly port: number;
}

export async function startNode(options: NodeOptions): Promise<TestNode> {
  const server = new RpcServer({
    logger: false,
    callbackTimeoutMs: 2_000,
    ...options.server,
    backplane: redisBackplane({
      url: options.redisUrl,
      prefix: options.prefix,
      heartbeatMs: options.heartbeatMs ?? 100,
      nodeTimeoutMs: options.nodeTimeoutMs ?? 500,
      reconnectMaxDelayMs: 100,
    }),
  });
  server.register(new Feed(server));
  const { url, port } = await server.listen({ port: 0, host: "127.0.0.1" });
  return { server, port, wsUrl: `${url.replace(/^http/, "ws")}/ws` };
}
