/**
 * One node of a test cluster: an RpcServer on 127.0.0.1:0 with the feed, the sessions
 * suite's feed and its probe, on a Redis backplane.
 */
import { RpcServer, type RpcServerOptions } from "@svcgen/runtime";
import { redisBackplane } from "@svcgen/redis";
import { FeedImpl } from "../session/services.js";
import { Feed } from "./feed.js";
import { Probe } from "./probe.js";

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
  /** The sessions suite's feed of this node (feed.Feed). */
  readonly sessions: FeedImpl;
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
  const sessions = new FeedImpl();
  server.register(sessions as never);
  server.register(new Probe(server, sessions) as never);
  const { url, port } = await server.listen({ port: 0, host: "127.0.0.1" });
  return { server, sessions, port, wsUrl: `${url.replace(/^http/, "ws")}/ws` };
}
