/** A real RpcServer on 127.0.0.1:0 serving ops.Desk over REST, `/rpc` and WebSocket. */
import { RpcServer, type RpcServerOptions } from "@svcgen/runtime";
import { Desk } from "./services.js";

export interface Running {
  readonly server: RpcServer;
  readonly desk: Desk;
  /** `http://127.0.0.1:port` */
  readonly url: string;
  /** `ws://127.0.0.1:port/ws` */
  readonly wsUrl: string;
  close(): Promise<void>;
}

export async function startDesk(options: RpcServerOptions = {}): Promise<Running> {
  const server = new RpcServer({ logger: false, ...options });
  const desk = new Desk();
  server.register(desk);
  const { url } = await server.listen({ port: 0, host: "127.0.0.1" });
  return {
    server,
    desk,
    url,
    wsUrl: `${url.replace(/^http/, "ws")}/ws`,
    close: () => server.close(),
  };
}

export { post } from "../support/raw-clients.js";
