/**
 * The server's sequenced sessions: opens them on `$/session`, resumes them from a token,
 * and gives them up. Tokens are made in session-token.ts; only a hash of the secret is
 * kept. In a cluster, a token of another node's session goes to `remote`. A detached
 * session lives `resumeWindowMs`; all detached sessions together keep at most
 * `maxDetachedBytes`, and the oldest detached expire first. A session that was
 * given up is remembered for a while (its reason, nothing else), so that a late resume is
 * told `"expired"` rather than `"unknown"`.
 */
import { errorResponse, resultResponse, type JsonRpcId } from "../protocol/jsonrpc.js";
import { ErrorCode } from "../protocol/codes.js";
import { batchFeature } from "../session/coalescer.js";
import {
  parseSessionRequest,
  type SessionAnswer,
  type SessionRequest,
} from "../session/handshake.js";
import { SessionReason } from "../session/reasons.js";
import type { Dispatcher } from "./dispatcher.js";
import type { ResolvedServerOptions } from "./options.js";
import { CloseCode, type SessionSocket, type WsAttachment } from "./ws-attachment.js";
import { issueToken, parseToken, secretMatches } from "./session-token.js";
import { WsSession, type SessionKeeper } from "./ws-session.js";
import { sequenceEncodingFor, serverEncodings } from "./ws-encodings.js";
import type { WireEncoding } from "../encoding/types.js";

interface Kept {
  readonly session: WsSession;
  readonly secretHash: string;
  /** Set while detached: gives the session up at the end of its window. */
  windowTimer?: ReturnType<typeof setTimeout>;
  /** Bytes it keeps, as counted in the node-wide detached total. */
  detachedBytes: number;
}

/** Reasons of given-up sessions remembered, oldest forgotten first. */
const rememberedEnds = 10_000;

/** Where a session of another node is resumed (scale-out: cluster/session-relays.ts). */
export interface RemoteSessions {
  /** `socket` asked to resume a session of `node`: relay it there, answer when it answers. */
  resume(socket: WsAttachment, id: JsonRpcId, request: SessionRequest, node: string): void;
}

export class SessionRegistry implements SessionKeeper {
  readonly #dispatcher: Dispatcher;
  readonly #options: ResolvedServerOptions;
  readonly #sessions = new Map<string, Kept>();
  /** Detached sessions in the order they detached: the first is the oldest. */
  readonly #detached = new Set<Kept>();
  #detachedBytes = 0;
  readonly #endings = new Map<string, string>();
  readonly #nodeId: string;
  /** Set in a cluster: sessions of other nodes are resumed there. */
  remote: RemoteSessions | undefined;

  constructor(dispatcher: Dispatcher, options: ResolvedServerOptions, nodeId: string) {
    this.#dispatcher = dispatcher;
    this.#options = options;
    this.#nodeId = nodeId;
    this.#encodings = serverEncodings(options);
  }

  readonly #encodings: ReadonlyMap<string, WireEncoding>;

  /** The encoding of a subprotocol this node speaks (a socket relayed from another node). */
  encodingNamed(name: string): WireEncoding | undefined {
    return this.#encodings.get(name);
  }

  /** The session with this id, attached or detached. */
  get(id: string): WsSession | undefined {
    return this.#sessions.get(id)?.session;
  }

  /** Sessions kept, attached or not. */
  get size(): number {
    return this.#sessions.size;
  }

  /** Sessions waiting for their client to resume. */
  get detachedCount(): number {
    return this.#detached.size;
  }

  /** Bytes kept by detached sessions. */
  get detachedBytes(): number {
    return this.#detachedBytes;
  }

  get sessions(): IterableIterator<WsSession> {
    return [...this.#sessions.values()].map((kept) => kept.session).values();
  }

  /**
   * The first message of `attachment` was the request `$/session` with `id` and `params`:
   * answers it on the socket (unsequenced), then attaches the socket to the new or resumed
   * session, which replays what the client lacks. A session of another node is resumed
   * there, through the relay (the answer comes later). Returns the session here, or
   * undefined when there is none yet, or the request was malformed (it was answered with an
   * error and the socket closed).
   */
  handshake(attachment: WsAttachment, id: JsonRpcId, params: unknown): WsSession | undefined {
    const request = parseSessionRequest(params);
    if (request === undefined) {
      attachment.write(
        attachment.encoding.encode(
          errorResponse(id, { code: ErrorCode.InvalidParams, message: "Invalid $/session params" }),
        ),
      );
      attachment.close(CloseCode.ProtocolError, "invalid $/session");
      return undefined;
    }
    let reason: string | undefined;
    if (request.resume !== null) {
      const owner = parseToken(request.resume).node;
      if (owner !== undefined && owner !== this.#nodeId && this.remote !== undefined) {
        this.remote.resume(attachment, id, request, owner);
        return undefined;
      }
      const resumed = this.resume(attachment, id, request);
      if (typeof resumed !== "string") return resumed;
      reason = resumed;
    }
    return this.open(attachment, id, reason, request.features);
  }

  /**
   * Resumes the session `request` names on `socket` when it is here, within its window and
   * the principal is the same: answers `id` on the socket and attaches it (the client gets
   * its replay). Otherwise the reason, and nothing is written; undefined when the request
   * broke the protocol (the socket is being closed with 1002).
   */
  resume(
    socket: SessionSocket,
    id: JsonRpcId,
    request: SessionRequest,
  ): WsSession | string | undefined {
    const found = this.#find(request.resume ?? "");
    if (typeof found === "string") return found;
    if (!this.#options.sessions.samePrincipal(found.session.principal, socket.principal)) {
      // Someone else holding the token does not end the owner's session.
      return SessionReason.Principal;
    }
    if (found.session.encoding.name !== socket.encoding.name) {
      // What the session keeps for replay is in its own encoding; nor does it end it.
      return SessionReason.Encoding;
    }
    if (request.ack > found.session.lastSent) {
      socket.close(CloseCode.ProtocolError, "ack ahead of what was sent");
      return undefined;
    }
    this.#answer(socket, id, request.features, {
      session: request.resume!,
      resumed: true,
      ack: found.session.lastReceived,
      windowMs: this.#options.sessions.resumeWindowMs,
    });
    found.session.attach(socket, request.ack);
    return found.session;
  }

  /**
   * Opens a new session on `socket`, answering `id`; `reason` says why a resume failed,
   * `features` what the client asked for.
   */
  open(
    socket: SessionSocket,
    id: JsonRpcId,
    reason?: string,
    features: readonly string[] = [],
  ): WsSession {
    const { session, token } = this.#open(socket);
    this.#answer(socket, id, features, {
      session: token,
      resumed: false,
      ack: 0,
      windowMs: this.#options.sessions.resumeWindowMs,
      ...(reason !== undefined && { reason }),
    });
    session.attach(socket, 0);
    return session;
  }

  /** Gives every session up with `reason` (the server closes). */
  endAll(reason: string): void {
    for (const kept of [...this.#sessions.values()]) kept.session.end(reason);
  }

  // ---- SessionKeeper ---------------------------------------------------------------

  detached(session: WsSession): void {
    const kept = this.#sessions.get(session.info.id);
    if (kept === undefined) return;
    kept.windowTimer = setTimeout(
      () => session.end(SessionReason.Expired),
      this.#options.sessions.resumeWindowMs,
    );
    (kept.windowTimer as { unref?: () => void }).unref?.();
    this.#detached.add(kept);
    kept.detachedBytes = session.keptBytes;
    this.#detachedBytes += kept.detachedBytes;
    this.#enforceNodeBound();
  }

  reattached(session: WsSession): void {
    const kept = this.#sessions.get(session.info.id);
    if (kept !== undefined) this.#undetach(kept);
  }

  grew(session: WsSession, delta: number): void {
    const kept = this.#sessions.get(session.info.id);
    if (kept === undefined || !this.#detached.has(kept)) return;
    kept.detachedBytes += delta;
    this.#detachedBytes += delta;
    if (delta > 0) this.#enforceNodeBound();
  }

  ended(session: WsSession, reason: string): void {
    const kept = this.#sessions.get(session.info.id);
    if (kept === undefined || kept.session !== session) return;
    this.#undetach(kept);
    this.#sessions.delete(session.info.id);
    this.#endings.set(session.info.id, reason);
    if (this.#endings.size > rememberedEnds) {
      this.#endings.delete(this.#endings.keys().next().value!);
    }
  }

  // ---- inside ----------------------------------------------------------------------

  #open(attachment: SessionSocket): { session: WsSession; token: string } {
    // In a cluster the token names this node: any node can send its resume here.
    const { id, token, secretHash } = issueToken(this.remote ? this.#nodeId : undefined);
    const info = { id, remoteAddress: attachment.remoteAddress };
    const session = new WsSession(
      this.#dispatcher,
      this.#options,
      attachment,
      info,
      this.#nodeId,
      this,
    );
    this.#sessions.set(id, { session, secretHash, detachedBytes: 0 });
    return { session, token };
  }

  /** The session of `token`, or the reason there is none. */
  #find(token: string): Kept | string {
    const { id, secret } = parseToken(token);
    const kept = this.#sessions.get(id);
    if (kept === undefined) return this.#endings.get(id) ?? SessionReason.Unknown;
    // A wrong secret learns nothing, not even that the id exists.
    return secretMatches(secret, kept.secretHash) ? kept : SessionReason.Unknown;
  }

  /**
   * Answers the handshake with the `asked` features this server accepts (and `socket` can
   * do: a socket relayed from another node does not coalesce). The answer goes alone; from
   * then on the socket coalesces if the client asked for it.
   */
  #answer(
    socket: SessionSocket,
    id: JsonRpcId,
    asked: readonly string[],
    answer: Omit<SessionAnswer, "features">,
  ): void {
    const batch =
      this.#options.sessions.batch && socket.coalesce !== undefined && asked.includes(batchFeature);
    const features = batch ? [batchFeature] : [];
    socket.write(socket.encoding.encode(resultResponse(id, { ...answer, features } as never)));
    if (batch) socket.coalesce!(sequenceEncodingFor(socket.encoding, this.#options));
  }

  #undetach(kept: Kept): void {
    clearTimeout(kept.windowTimer);
    kept.windowTimer = undefined;
    if (this.#detached.delete(kept)) this.#detachedBytes -= kept.detachedBytes;
    kept.detachedBytes = 0;
  }

  #enforceNodeBound(): void {
    const limit = this.#options.sessions.maxDetachedBytes;
    while (this.#detachedBytes > limit) {
      const oldest = this.#detached.values().next().value;
      if (oldest === undefined) return;
      this.#options.logger.info("detached session expired early: node-wide bound", {
        connection: oldest.session.info.id,
      });
      oldest.session.end(SessionReason.Expired);
    }
  }
}
