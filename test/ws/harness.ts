/** A real RpcServer on 127.0.0.1:0 with the chat and lab services, and raw-socket helpers. */
import { RpcServer, type RpcServerOptions } from "@svcgen/runtime";
import WebSocket from "ws";
import { LabImpl, Room, Session, SessionBase } from "./services.js";

export interface Running {
  readonly server: RpcServer;
  readonly room: Room;
  readonly lab: LabImpl;
  /** `ws://127.0.0.1:port/ws` */
  readonly wsUrl: string;
  close(): Promise<void>;
}

export async function startServer(options: RpcServerOptions = {}): Promise<Running> {
  const server = new RpcServer({ logger: false, ...options });
  const room = new Room();
  const lab = new LabImpl();
  server.register(room);
  server.register(lab);
  server.register(SessionBase, () => new Session(), { instance: "perConnection" });
  const { url } = await server.listen({ port: 0, host: "127.0.0.1" });
  return {
    server,
    room,
    lab,
    wsUrl: `${url.replace(/^http/, "ws")}/ws`,
    close: () => server.close(),
  };
}

/** A raw `ws` client that collects every message it receives, parsed. */
export class RawClient {
  readonly socket: WebSocket;
  readonly messages: any[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: (() => void)[] = [];

  constructor(url: string, options: WebSocket.ClientOptions = {}, protocols?: string[]) {
    this.socket = new WebSocket(url, protocols, options);
    this.socket.on("message", (data, isBinary) => {
      if (!isBinary) this.messages.push(JSON.parse(data.toString()));
      for (const waiter of this.#waiters.splice(0)) waiter();
    });
    this.socket.on("error", () => undefined);
    this.closed = new Promise((resolve) =>
      this.socket.on("close", (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const waiter of this.#waiters.splice(0)) waiter();
      }),
    );
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.socket.readyState === WebSocket.OPEN) return resolve();
      this.socket.once("open", () => resolve());
      this.socket.once("close", (code) => reject(new Error(`closed ${code}`)));
    });
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
    return this.next((m) => m.id === id && ("result" in m || "error" in m));
  }

  async close(): Promise<void> {
    if (this.socket.readyState !== WebSocket.CLOSED) this.socket.close();
    await this.closed;
  }
}

/** Resolves when `predicate` holds, polling every few ms; rejects after `limitMs`. */
export async function until(predicate: () => boolean, limitMs = 10_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
