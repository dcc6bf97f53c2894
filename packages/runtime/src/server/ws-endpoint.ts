/**
 * The WebSocket side of RpcServer: accepts upgrades at `{base}/ws` (authenticated at
 * upgrade, resumes included) and reads each socket's first message: a `$/session` request
 * goes to the SessionRegistry (a new or resumed sequenced session), anything else starts a
 * plain session that lives as long as the socket. Closing the endpoint ends every session.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { ErrorCode } from "../protocol/codes.js";
import { FrameError } from "../encoding/types.js";
import type { WireEncoding } from "../encoding/types.js";
import type { JsonRpcId } from "../protocol/jsonrpc.js";
import { RpcError } from "../protocol/errors.js";
import { AuthenticationRefused, authenticateRequest, defaultChallenge } from "./auth.js";
import type { Dispatcher } from "./dispatcher.js";
import type { ResolvedServerOptions } from "./options.js";
import { HeartbeatSweep } from "../liveness/heartbeat.js";
import { resumeHint, sessionMethod } from "../session/handshake.js";
import { SessionReason } from "../session/reasons.js";
import { SessionRegistry } from "./session-registry.js";
import { CloseCode, WsAttachment, frameSize, type AttachmentReader } from "./ws-attachment.js";
import { WsSession } from "./ws-session.js";
import { UpgradeGate } from "./upgrade-gate.js";
import { serverEncodings } from "./ws-encodings.js";

/** The subprotocol of a client that offers none: JSON, as for any JSON-RPC client. */
export const subprotocol = "svc.json";

export class WebSocketEndpoint implements AttachmentReader {
  readonly #dispatcher: Dispatcher;
  readonly #options: ResolvedServerOptions;
  readonly #server: WebSocketServer;
  /** Every open socket. */
  readonly #attachments = new Set<WsAttachment>();
  /** Sessions of clients that never asked for one, by id: each ends with its socket. */
  readonly #plain = new Map<string, WsSession>();
  readonly #sessions: SessionRegistry;
  readonly #nodeId: string;
  /** The encodings this server speaks, by subprotocol (each bound to the frame limits). */
  readonly #encodings: ReadonlyMap<string, WireEncoding>;
  /** Upgrades admitted and not yet open or refused (they count against maxConnections). */
  #upgrading = 0;
  readonly #gate: UpgradeGate;
  /** One interval pings every socket: no timer per socket. */
  readonly #heartbeat: HeartbeatSweep;
  readonly #attachmentClosed = (attachment: WsAttachment) =>
    void this.#attachments.delete(attachment);
  readonly #plainEnded = (session: WsSession) => void this.#plain.delete(session.info.id);
  #closing = false;

  constructor(dispatcher: Dispatcher, options: ResolvedServerOptions, nodeId: string) {
    this.#dispatcher = dispatcher;
    this.#options = options;
    this.#heartbeat = new HeartbeatSweep(options.heartbeatMs);
    this.#nodeId = nodeId;
    this.#gate = new UpgradeGate(options.limits);
    this.#sessions = new SessionRegistry(dispatcher, options, nodeId);
    this.#encodings = serverEncodings(options);
    const encodings = this.#encodings;
    this.#server = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: options.limits.maxFrameBytes,
      // Compression costs CPU per frame and makes bufferedAmount lie about memory.
      perMessageDeflate: false,
      // The first the client offers that this server speaks (offers are in header order).
      handleProtocols: (offered) => {
        for (const name of offered) if (encodings.has(name)) return name;
        return false;
      },
    });
  }

  /** The path upgrades are accepted at. */
  get path(): string {
    return `${this.#options.prefix}/ws`;
  }

  /** Open sockets (for tests and metrics). */
  get connectionCount(): number {
    return this.#attachments.size;
  }

  /** The sequenced sessions of this node. */
  get sessions(): SessionRegistry {
    return this.#sessions;
  }

  /** Sequenced sessions kept, attached or detached (for tests and metrics). */
  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** Bytes kept for replay by detached sessions (for tests and metrics). */
  get detachedBytes(): number {
    return this.#sessions.detachedBytes;
  }

  /** Sequenced sessions waiting for their client to resume (for metrics). */
  get detachedSessionCount(): number {
    return this.#sessions.detachedCount;
  }

  /** Every client's session, plain or sequenced, attached or not (for metrics). */
  allSessions(): WsSession[] {
    return this.#allSessions();
  }

  /**
   * The session with this id, attached or detached (calls to its callbacks from other
   * nodes; a detached session keeps them for its client).
   */
  connection(id: string): WsSession | undefined {
    return this.#plain.get(id) ?? this.#sessions.get(id);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // A module-level listener: a closure here would share this function's context and keep
    // `req` and `head` alive as long as the socket lives.
    socket.on("error", destroySocket);
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== this.path) return refuse(socket, 404, "Not Found");
    if (this.#closing) return refuse(socket, 503, "Service Unavailable");
    const resuming = url.searchParams.has(resumeHint);
    const refusal = this.#gate.admit(this.#attachments.size + this.#upgrading, resuming);
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
    for (const session of this.#allSessions()) session.abandonCalls();
  }

  #allSessions(): WsSession[] {
    return [...this.#plain.values(), ...this.#sessions.sessions];
  }

  #idle(): Promise<unknown> {
    return Promise.all(this.#allSessions().map((session) => session.idle()));
  }

  /**
   * Closes every socket (1001), gives every session up (`"shutdown"`), and resolves once
   * all sockets are closed.
   */
  async close(): Promise<void> {
    this.#closing = true;
    this.#sessions.endAll(SessionReason.Shutdown);
    const all = [...this.#attachments];
    for (const attachment of all) attachment.close(CloseCode.GoingAway, "server closing");
    await Promise.all(all.map((attachment) => attachment.closed));
    this.#heartbeat.stop();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(ws: WebSocket, req: IncomingMessage, principal: unknown): void {
    // No subprotocol (a client that offered none): JSON, as for any JSON-RPC client.
    const encoding = this.#encodings.get(ws.protocol) ?? this.#encodings.get(subprotocol)!;
    const attachment = new WsAttachment(
      ws,
      encoding,
      this.#options,
      principal,
      req.socket.remoteAddress ?? "",
      this,
      this.#heartbeat,
      this.#attachmentClosed,
    );
    this.#attachments.add(attachment);
  }

  // ---- AttachmentReader: the first frame of a socket -------------------------------

  onFrame(frame: string | Uint8Array, from: WsAttachment): void {
    let value: unknown;
    let tooDeep: boolean;
    try {
      ({ value, tooDeep } = from.encoding.decode(frame));
    } catch (error) {
      if (!(error instanceof FrameError)) throw error;
      this.#plainSession(from).onFrame(frame, from); // answers the parse error
      return;
    }
    const message = value as Record<string, unknown> | null;
    if (
      typeof message === "object" &&
      message !== null &&
      message["method"] === sessionMethod &&
      Object.hasOwn(message, "id") &&
      !this.#closing
    ) {
      this.#sessions.handshake(from, message["id"] as JsonRpcId, message["params"]);
      return;
    }
    this.#plainSession(from).onValue(value, frameSize(frame), tooDeep);
  }

  onOverloaded(): void {}

  onDetached(): void {}

  #plainSession(attachment: WsAttachment): WsSession {
    const info = { id: attachment.id, remoteAddress: attachment.remoteAddress };
    const session = new WsSession(
      this.#dispatcher,
      this.#options,
      attachment,
      info,
      this.#nodeId,
      undefined,
      this.#plainEnded,
    );
    this.#plain.set(info.id, session);
    return session;
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
