/** A real RpcServer on 127.0.0.1:0 serving the test services, and small HTTP helpers. */
import { RpcServer, type RpcServerOptions } from "@svcgen/runtime";
import { Counter, CounterBase, Shop } from "./services.js";

export interface Running {
  readonly server: RpcServer;
  readonly shop: Shop;
  /** `http://127.0.0.1:port` plus the base path. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startServer(
  options: RpcServerOptions = {},
  counterMode: "perCall" | "perConnection" = "perCall",
): Promise<Running> {
  const server = new RpcServer({ logger: false, ...options });
  const shop = new Shop();
  server.register(shop);
  server.register(CounterBase, () => new Counter(), { instance: counterMode });
  const { url, port } = await server.listen({ port: 0, host: "127.0.0.1" });
  return { server, shop, url, port, close: () => server.close() };
}

export { post, type Answer } from "../support/raw-clients.js";
