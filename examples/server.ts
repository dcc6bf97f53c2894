/**
 * The example server: the three example services on one RpcServer, sharing one node:http
 * server with the browser page. `node build/examples/server.js [port]` runs it alone;
 * `npm run demo -- --serve` does the same with a friendlier banner.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { RpcServerOptions } from "@svcgen/runtime";
import { createExampleRpcServer } from "./services.js";
import { pageFileFor, sendPageFile } from "./static-files.js";

export interface ExampleServerOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Where the built browser page is; default: `browser/` next to this module in build/. */
  readonly pageDir?: string;
  /** Passed on to the RpcServer. */
  readonly rpc?: RpcServerOptions;
}

export interface ExampleServer {
  /** `http://host:port`: the page at `/`, REST at `/{Service}/{method}`, JSON-RPC at `/rpc`. */
  readonly url: string;
  /** `ws://host:port/ws`: calls and callbacks. */
  readonly wsUrl: string;
  /** Ends every connection and stops listening. */
  close(): Promise<void>;
}

const DEFAULT_PAGE_DIR = fileURLToPath(new URL("./browser/", import.meta.url));

export async function startExampleServer(
  options: ExampleServerOptions = {},
): Promise<ExampleServer> {
  const rpc = createExampleRpcServer(options.rpc);
  // Its optional features (the inspector) are installed by then.
  await rpc.ready();
  const pageDir = options.pageDir ?? DEFAULT_PAGE_DIR;
  // The page's few files first; every other request is the RpcServer's.
  const http = createServer((req, res) => {
    const page = pageFileFor(req);
    if (page) sendPageFile(pageDir, page, req, res).catch(() => res.destroy());
    else rpc.requestListener(req, res);
  });
  http.on("upgrade", rpc.handleUpgrade);
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      http.off("error", reject);
      resolve();
    });
  });
  const { address, port } = http.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    wsUrl: `ws://${host}:${port}/ws`,
    close: () =>
      (closed ??= (async () => {
        const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
        http.closeIdleConnections();
        await rpc.close();
        http.closeAllConnections();
        await stopped;
      })()),
  };
}

// Run directly: `node build/examples/server.js [port]`.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await startExampleServer({ port: Number(process.argv[2] ?? 8080) });
  process.stdout.write(`example server at ${server.url} (browser page at ${server.url}/)\n`);
  const stop = (): void => void server.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
