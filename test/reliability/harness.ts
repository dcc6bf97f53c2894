/**
 * A real RpcServer on 127.0.0.1:0 with the suite's services, on a node:http server the
 * suite owns (so it can count the TCP connections the server still holds), plus raw
 * HTTP and WebSocket helpers.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { RpcServer, type RpcServerOptions } from "@svcgen/runtime";
import { LabImpl, VaultImpl } from "./services.js";

export interface Running {
  readonly server: RpcServer;
  readonly http: Server;
  readonly lab: LabImpl;
  readonly vault: VaultImpl;
  /** `http://127.0.0.1:port` */
  readonly url: string;
  /** `ws://127.0.0.1:port/ws` */
  readonly wsUrl: string;
  readonly port: number;
  /** TCP connections the http server still has open. */
  connections(): Promise<number>;
  close(): Promise<void>;
}

export async function startServer(options: RpcServerOptions = {}, port = 0): Promise<Running> {
  const server = new RpcServer({ logger: false, ...options });
  const lab = new LabImpl();
  const vault = new VaultImpl();
  server.register(lab);
  server.register(vault);
  const http = createServer();
  server.attach(http);
  await new Promise<void>((resolve) => http.listen(port, "127.0.0.1", resolve));
  const bound = (http.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${bound}`;
  return {
    server,
    http,
    lab,
    vault,
    url,
    wsUrl: `ws://127.0.0.1:${bound}/ws`,
    port: bound,
    connections: () =>
      new Promise((resolve, reject) =>
        http.getConnections((error, count) => (error ? reject(error) : resolve(count))),
      ),
    async close() {
      await server.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

export { RawClient, post, until, type Answer } from "../support/raw-clients.js";
