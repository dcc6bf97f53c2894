/**
 * Where the client's WebSocket comes from: the one passed in options, `ws` in Node (loaded
 * by a dynamic import whose specifier bundlers do not follow, so browser bundles never
 * contain it), or the global WebSocket of browsers and other runtimes.
 */

/** The part of the WHATWG WebSocket API the client uses (browsers and `ws` both have it). */
export interface SocketLike {
  readonly readyState: number;
  readonly protocol: string;
  /** Browsers: "arraybuffer" makes binary messages ArrayBuffers (not Blobs). */
  binaryType?: string;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "open", listener: () => void): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(
    type: "close",
    listener: (event: { code: number; reason: string }) => void,
  ): void;
  addEventListener(type: "error", listener: (event: unknown) => void): void;
}

/** A WebSocket constructor: the global one, `ws`'s, or any compatible. */
export type WebSocketConstructor = new (
  url: string,
  protocols?: string | string[],
  // `ws` takes client options (headers, ...) here; browsers ignore a third argument.
  options?: Record<string, unknown>,
) => SocketLike;

/** `ws` sockets can ping and hear pongs; browser sockets cannot (the browser answers pings). */
export interface PingableSocket extends SocketLike {
  ping(): void;
  terminate(): void;
  on(event: "pong", listener: () => void): void;
  on(event: "message", listener: (data: Uint8Array, isBinary: boolean) => void): void;
}

export function isPingable(socket: SocketLike): socket is PingableSocket {
  const candidate = socket as Partial<PingableSocket>;
  return (
    typeof candidate.ping === "function" &&
    typeof candidate.terminate === "function" &&
    typeof candidate.on === "function"
  );
}

export const OPEN = 1;

function isNode(): boolean {
  return typeof process !== "undefined" && typeof process.versions?.node === "string";
}

let nodeWebSocket: Promise<WebSocketConstructor> | undefined;

/** The constructor to use; in Node `ws` (headers and pings need it) even if a global exists. */
export function resolveWebSocket(custom?: WebSocketConstructor): Promise<WebSocketConstructor> {
  if (custom) return Promise.resolve(custom);
  if (isNode()) {
    nodeWebSocket ??= loadWs();
    return nodeWebSocket;
  }
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (global) return Promise.resolve(global);
  return Promise.reject(new Error("no WebSocket implementation here: pass options.WebSocket"));
}

async function loadWs(): Promise<WebSocketConstructor> {
  // A variable specifier: bundlers leave this import alone, so `ws` stays out of browser code.
  const specifier = "ws";
  const module = (await import(specifier)) as {
    WebSocket?: WebSocketConstructor;
    default?: WebSocketConstructor;
  };
  const constructor = module.WebSocket ?? module.default;
  if (!constructor) throw new Error("the ws package has no WebSocket export");
  return constructor;
}

type Corkable = { cork(): void; uncork(): void; destroyed: boolean };
const corked = new WeakSet<Corkable>();

function uncork(stream: Corkable): void {
  corked.delete(stream);
  stream.uncork();
}

/** The TCP stream under a `ws` socket in Node; undefined in browsers (or once destroyed). */
function streamOf(socket: SocketLike): Corkable | undefined {
  const stream = (socket as { _socket?: Partial<Corkable> | null })._socket;
  if (stream == null || typeof stream.cork !== "function" || stream.destroyed) return undefined;
  return stream as Corkable;
}

/**
 * `ws` in Node: frames sent in one turn of the event loop leave in one write (one syscall
 * for a burst of pipelined calls). Browser sockets batch on their own; nothing to do there.
 */
export function corkUntilTurnEnds(socket: SocketLike): void {
  const stream = streamOf(socket);
  if (stream === undefined) return;
  if (corked.has(stream as Corkable)) return;
  corked.add(stream as Corkable);
  stream.cork();
  process.nextTick(uncork, stream);
}

/** Writes to `socket` wait until `uncorkSocket` (Node's `ws`; nothing elsewhere). */
export function corkSocket(socket: SocketLike): void {
  streamOf(socket)?.cork();
}

export function uncorkSocket(socket: SocketLike): void {
  streamOf(socket)?.uncork();
}
