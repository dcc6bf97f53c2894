/**
 * A real RpcServer on 127.0.0.1:0 with the suite's services, on a node:http server the
 * suite owns (so it can count the TCP connections the server still holds), plus raw
 * HTTP and WebSocket helpers.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { RpcServer, type RpcServerOptions } from "@svcgen/runtime";
import WebSocket from "ws";
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

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  /** The body as text, exactly as received. */
  readonly text: string;
  /** Parsed JSON, or undefined when the body is empty or not JSON. */
  readonly body: any;
}

/** POSTs `body` (a string or bytes are sent as is), JSON content type unless told otherwise. */
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
  let parsed: unknown;
  try {
    parsed = text === "" ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

/** A raw `ws` client that keeps every frame it receives (text parsed, raw kept too). */
export class RawClient {
  readonly socket: WebSocket;
  readonly messages: any[] = [];
  readonly frames: string[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;
  #waiters: (() => void)[] = [];

  constructor(url: string, options: WebSocket.ClientOptions = {}, protocols?: string[]) {
    this.socket = new WebSocket(url, protocols, options);
    this.socket.on("message", (data, isBinary) => {
      const text = data.toString();
      this.frames.push(text);
      if (!isBinary) this.messages.push(...[JSON.parse(text)].flat());
      this.#wake();
    });
    this.socket.on("error", () => undefined);
    this.closed = new Promise((resolve) =>
      this.socket.on("close", (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.#wake();
      }),
    );
    this.opened = new Promise((resolve, reject) => {
      this.socket.once("open", () => resolve());
      this.socket.once("close", (code) => reject(new Error(`closed ${code}`)));
    });
    this.opened.catch(() => undefined);
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  send(message: unknown): void {
    this.socket.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /** The first received message matching `predicate` (waits for it). */
  async next(predicate: (message: any) => boolean = () => true): Promise<any> {
    for (;;) {
      const found = this.messages.find(predicate);
      if (found !== undefined) return found;
      if (this.socket.readyState === WebSocket.CLOSED) throw new Error("closed while waiting");
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Sends a request and waits for the response with its id. */
  async request(id: number | string, method: string, params?: unknown): Promise<any> {
    this.send({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) });
    return this.next((m) => m?.id === id && ("result" in m || "error" in m));
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CONNECTING) await this.opened.catch(() => undefined);
    if (this.socket.readyState !== WebSocket.CLOSED) this.socket.close();
    await this.closed;
  }

  /** Drops the TCP connection with no close frame, as a crashed client or a cut cable would. */
  async vanish(): Promise<void> {
    this.socket.terminate();
    await this.closed;
  }
}

/** Resolves when `predicate` holds, polling every few ms; rejects after `limitMs`. */
export async function until(
  predicate: () => boolean | Promise<boolean>,
  limitMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
