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

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly contentType: string | null;
  /** Parsed JSON, or undefined for an empty body. */
  readonly body: any;
}

/** POSTs `body` (a string is sent as is) with a JSON content type unless told otherwise. */
export async function post(
  url: string,
  body?: unknown,
  headers: Record<string, string> = { "content-type": "application/json" },
): Promise<Answer> {
  const init: RequestInit = { method: "POST", headers };
  if (body !== undefined) {
    const raw = typeof body === "string" || body instanceof Uint8Array;
    init.body = (raw ? body : JSON.stringify(body)) as BodyInit;
  }
  const response = await fetch(url, init);
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    contentType: response.headers.get("content-type"),
    body: text === "" ? undefined : JSON.parse(text),
  };
}
