/**
 * The WebSocket side of RpcServer: accepts upgrades at `{base}/ws` (authenticated at
 * upgrade), and hands each socket to a WsConnection. Closing it ends every connection.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { ErrorCode } from "../protocol/codes.js";
import { RpcError } from "../protocol/errors.js";
import { AuthenticationRefused, authenticateRequest, defaultChallenge } from "./auth.js";
import type { Dispatcher } from "./dispatcher.js";
import type { ResolvedServerOptions } from "./options.js";
import { HeartbeatSweep } from "./heartbeat.js";
import { UpgradeGate } from "./upgrade-gate.js";
import { CloseCode, WsConnection, type WsConnectionHooks } from "./ws-connection.js";

/** The subprotocol we speak; a client offering none is accepted too. */
export const subprotocol = "svc.json";

let connectionCounter = 0;

export class WebSocketEndpoint {
  readonly #dispatcher: Dispatcher;
  readonly #options: ResolvedServerOptions;
  readonly #server: WebSocketServer;
  /** Open connections by id. */
  readonly #connections = new Map<string, WsConnection>();
  /** Upgrades admitted and not yet open or refused (they count against maxConnections). */
  #upgrading = 0;
  readonly #gate: UpgradeGate;
  /** One interval pings every connection: no timer per connection. */
  readonly #heartbeat: HeartbeatSweep;
  /** What every connection gets: one object for all of them. */
  readonly #hooks: WsConnectionHooks;
  #closing = false;

  constructor(dispatcher: Dispatcher, options: ResolvedServerOptions, nodeId: string) {
    this.#dispatcher = dispatcher;
    this.#options = options;
    this.#gate = new UpgradeGate(options.limits);
    this.#heartbeat = new HeartbeatSweep(options.heartbeatMs);
    this.#hooks = {
      heartbeat: this.#heartbeat,
      onClosed: (connection) => void this.#connections.delete(connection.info.id),
      nodeId,
    };
    this.#server = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: options.limits.maxFrameBytes,
      // Compression costs CPU per frame and makes bufferedAmount lie about memory.
      perMessageDeflate: false,
      handleProtocols: (offered) => (offered.has(subprotocol) ? subprotocol : false),
    });
  }

  /** The path upgrades are accepted at. */
  get path(): string {
    return `${this.#options.prefix}/ws`;
  }

  /** Live connections (for tests and metrics). */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** The open connection with this id (calls to its callbacks from other nodes). */
  connection(id: string): WsConnection | undefined {
    return this.#connections.get(id);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // A module-level listener: a closure here would share this function's context and keep
    // `req` and `head` alive as long as the socket lives.
    socket.on("error", destroySocket);
    const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    if (pathname !== this.path) return refuse(socket, 404, "Not Found");
    if (this.#closing) return refuse(socket, 503, "Service Unavailable");
    const refusal = this.#gate.admit(this.#connections.size + this.#upgrading);
    if (refusal !== undefined) {
      return refuse(socket, refusal.status, refusal.text, `Retry-After: ${refusal.retryAfter}\r\n`);
    }
    this.#upgrading++;
    authenticateRequest(this.#options, req).then(
      (principal) => {
        if (socket.destroyed) {
          this.#upgrading--;
          return;
        }
        if (this.#closing) {
          this.#upgrading--;
          return refuse(socket, 503, "Service Unavailable");
        }
        // Without verifyClient, ws accepts (or refuses a bad handshake) synchronously.
        this.#upgrading--;
        this.#server.handleUpgrade(req, socket, head, (ws) => {
          // ws handles the socket's errors from now on.
          socket.off("error", destroySocket);
          this.#accept(ws, req, principal);
        });
      },
      (error: unknown) => {
        this.#upgrading--;
        if (error instanceof RpcError && error.code === ErrorCode.Forbidden) {
          return refuse(socket, 403, "Forbidden");
        }
        const challenge =
          error instanceof AuthenticationRefused && error.challenge !== undefined
            ? error.challenge
            : defaultChallenge(this.#options, req);
        refuse(socket, 401, "Unauthorized", `WWW-Authenticate: ${challenge}\r\n`);
      },
    );
  }

  /**
   * Stops taking connections and lets the calls running on the open ones finish, for up to
   * `graceMs`; the rest are aborted and left unanswered: closed with the connection (1001),
   * they are lost to the client as in a crash, so `@idempotent` ones are sent again to the
   * next server and the others fail there with -32007, never with a final -32002.
   */
  async drain(graceMs: number): Promise<void> {
    this.#closing = true;
    await settledWithin(this.#idle(), graceMs);
    for (const connection of this.#connections.values()) connection.abandonCalls();
  }

  #idle(): Promise<unknown> {
    return Promise.all([...this.#connections.values()].map((connection) => connection.idle()));
  }

  /** Closes every connection (1001) and resolves once all are closed. */
  async close(): Promise<void> {
    this.#closing = true;
    const all = [...this.#connections.values()];
    for (const connection of all) connection.close(CloseCode.GoingAway, "server closing");
    await Promise.all(all.map((connection) => connection.closed));
    this.#heartbeat.stop();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(ws: WebSocket, req: IncomingMessage, principal: unknown): void {
    const info = { id: `ws-${++connectionCounter}`, remoteAddress: req.socket.remoteAddress ?? "" };
    const connection = new WsConnection(
      ws,
      this.#dispatcher,
      this.#options,
      principal,
      info,
      this.#hooks,
    );
    this.#connections.set(info.id, connection);
  }
}

function destroySocket(this: Duplex): void {
  this.destroy();
}

/** Answers an upgrade with a plain HTTP status and drops the socket: no WebSocket exists. */
function refuse(socket: Duplex, status: number, text: string, headers = ""): void {
  if (socket.destroyed) return;
  socket.once("finish", () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\n${headers}Connection: close\r\nContent-Length: 0\r\n\r\n`,
  );
}

/** Waits for `promise`, but no longer than `ms`. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([promise, timeout]);
  clearTimeout(timer);
}
