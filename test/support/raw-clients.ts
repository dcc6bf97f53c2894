/** Raw clients shared by the suites: HTTP requests and WebSocket frames by hand, no runtime. */
import WebSocket from "ws";
import { Decoder, Encoder } from "@msgpack/msgpack";

/** MessagePack as another implementation writes it: int64 formats read as bigint. */
const msgpackDecoder = new Decoder({ useBigInt64: true });
const msgpackEncoder = new Encoder({ useBigInt64: true });

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly contentType: string | null;
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
  return {
    status: response.status,
    headers: response.headers,
    contentType: response.headers.get("content-type"),
    text,
    body: parsed,
  };
}

/**
 * A raw `ws` client that keeps every frame it receives (text parsed, raw kept too). Offered
 * `svc.msgpack` and given it, it speaks MessagePack (@msgpack/msgpack) instead: binary
 * frames are decoded into `values`/`messages` the same way, and `send` encodes.
 */
export class RawClient {
  readonly socket: WebSocket;
  /** Every JSON-RPC message received, the members of a batch one by one. */
  readonly messages: any[] = [];
  /** Every text frame as parsed: a batch stays one array. */
  readonly values: any[] = [];
  /** Every text frame as received. */
  readonly frames: string[] = [];
  /** Every binary frame as received. */
  readonly binaryFrames: Buffer[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;
  #waiters: (() => void)[] = [];

  constructor(url: string, options: WebSocket.ClientOptions = {}, protocols?: string[]) {
    this.socket = new WebSocket(url, protocols, options);
    this.socket.on("message", (data, isBinary) => {
      if (isBinary && this.socket.protocol === "svc.msgpack") {
        this.binaryFrames.push(data as Buffer);
        const value = msgpackDecoder.decode(data as Buffer) as any;
        this.values.push(value);
        this.messages.push(...[value].flat());
      } else {
        const text = data.toString();
        this.frames.push(text);
        if (!isBinary) {
          const value = JSON.parse(text);
          this.values.push(value);
          this.messages.push(...[value].flat());
        }
      }
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
    if (this.socket.protocol === "svc.msgpack") {
      this.socket.send(message instanceof Uint8Array ? message : msgpackEncoder.encode(message));
      return;
    }
    this.socket.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /** The first received message matching `predicate` (waits for it). */
  async next(predicate: (message: any) => boolean = () => true): Promise<any> {
    return this.#first(this.messages, predicate);
  }

  /** The first received frame value (a batch as one array) matching `predicate` (waits for it). */
  async nextValue(predicate: (value: any) => boolean): Promise<any> {
    return this.#first(this.values, predicate);
  }

  async #first(received: readonly any[], predicate: (item: any) => boolean): Promise<any> {
    for (;;) {
      const found = received.find(predicate);
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
