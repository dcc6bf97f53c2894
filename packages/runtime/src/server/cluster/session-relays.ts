/**
 * Sessions across nodes. A session stays on the node that opened it (its "owner": the
 * implementation's proxies, calls in flight, groups and refs all live there). When its
 * client resumes on another node, that node relays: it asks the owner to resume the
 * session (the token names the owner, see ../session-token.ts), then forwards the client's
 * frames to the owner's inbox and writes the owner's frames to the client, both ways in
 * order. seq, acks and replay stay the session's, end to end, so a relay that breaks loses
 * nothing: the client resumes again and the owner replays. This object is both sides of
 * every relay of its node: RelayLink where it holds the client's socket, RelayedSocket
 * where it owns the session.
 */
import type { WireEncoding } from "../../encoding/types.js";
import type { JsonRpcId } from "../../protocol/jsonrpc.js";
import type { SessionRequest } from "../../session/handshake.js";
import { SessionCloseCode, SessionReason } from "../../session/reasons.js";
import type { Logger } from "../options.js";
import type { RemoteSessions } from "../session-registry.js";
import type { SessionSocket, WsAttachment } from "../ws-attachment.js";
import type { WsSession } from "../ws-session.js";
import { BackplaneError } from "./backplane.js";
import { RelayLink, tryAgainLaterCode } from "./relay-link.js";
import type { RelayMessage, RelayResume } from "./relay-messages.js";
import { RelayedSocket, relayBrokenCode } from "./relayed-socket.js";

/** How long a relaying node waits for the owner's answer to a resume. */
const resumeAnswerMs = 5_000;

/** What the relays need of the node's sessions (the SessionRegistry). */
export interface SessionHost {
  resume(
    socket: SessionSocket,
    id: JsonRpcId,
    request: SessionRequest,
  ): WsSession | string | undefined;
  open(
    socket: SessionSocket,
    id: JsonRpcId,
    reason?: string,
    features?: readonly string[],
  ): WsSession;
  /** The encoding of a subprotocol this node speaks; undefined for any other. */
  encodingNamed(name: string): WireEncoding | undefined;
}

/** Sends a payload to another node (Backplane.send: rejects with a BackplaneError). */
export type NodeSend = (node: string, payload: string) => Promise<void>;

export class SessionRelays implements RemoteSessions {
  readonly #nodeId: string;
  readonly #sendPayload: NodeSend;
  readonly #host: SessionHost;
  readonly #logger: Logger;
  /** Where this node holds the client's socket, by relay id. */
  readonly #links = new Map<string, RelayLink>();
  readonly #answerTimers = new Map<RelayLink, ReturnType<typeof setTimeout>>();
  /** Where this node owns the session, by `<node>/<relay>`. */
  readonly #sockets = new Map<string, RelayedSocket>();
  /** Control messages the backplane could not take, sent again once it is back. */
  readonly #owed = new Map<string, object[]>();
  #nextRelay = 0;

  constructor(nodeId: string, send: NodeSend, host: SessionHost, logger: Logger) {
    this.#nodeId = nodeId;
    this.#sendPayload = send;
    this.#host = host;
    this.#logger = logger;
  }

  /** Relays held here and sessions relayed from elsewhere (for tests and metrics). */
  get counts(): { links: number; relayed: number } {
    return { links: this.#links.size, relayed: this.#sockets.size };
  }

  // ---- relaying: the client's socket is here -----------------------------------------

  resume(socket: WsAttachment, id: JsonRpcId, request: SessionRequest, owner: string): void {
    const relay = (++this.#nextRelay).toString(36);
    const link = new RelayLink(
      relay,
      owner,
      socket,
      id,
      this.#nodeId,
      (message) => this.#send(owner, message),
      (message) => this.#control(owner, message),
      {
        done: (done) => {
          this.#links.delete(done.relay);
          clearTimeout(this.#answerTimers.get(done));
          this.#answerTimers.delete(done);
        },
        // A new session here: with the features the client asked for (this socket is its own).
        openHere: (here, requestId, reason) =>
          void this.#host.open(here, requestId, reason, request.features),
      },
    );
    this.#links.set(relay, link);
    const timer = setTimeout(() => {
      this.#logger.info("resume on another node: no answer in time", { node: owner });
      link.unavailable("no answer from the session's node");
    }, resumeAnswerMs);
    timer.unref?.();
    this.#answerTimers.set(link, timer);
    const ask: RelayResume = {
      t: "relay-resume",
      relay,
      from: this.#nodeId,
      token: request.resume!,
      ack: request.ack,
      requestId: id,
      ...(socket.encoding.name !== "svc.json" && { encoding: socket.encoding.name }),
      ...principalJson(socket.principal),
      address: socket.remoteAddress,
    };
    this.#send(owner, ask).catch((error: unknown) => {
      if (error instanceof BackplaneError && error.reason === "node-lost") {
        link.refused(SessionReason.NodeLost);
      } else {
        link.unavailable("the session's node cannot be reached now");
      }
    });
  }

  // ---- what other nodes send -----------------------------------------------------------

  receive(message: RelayMessage): void {
    switch (message.t) {
      case "relay-resume":
        return this.#onResume(message);
      case "relay-up": {
        const socket = this.#sockets.get(`${message.from}/${message.relay}`);
        if (socket !== undefined) socket.receive(message.frames);
        // The session moved on (taken over elsewhere): the client's socket there is stale.
        else this.#control(message.from, closeFor(message.relay, "session taken over"));
        return;
      }
      case "relay-gone":
        this.#sockets
          .get(`${message.from}/${message.relay}`)
          ?.peerGone(message.code, message.overloaded === true);
        return;
      case "relay-resumed":
        this.#links.get(message.relay)?.resumed();
        return;
      case "relay-refused":
        this.#links.get(message.relay)?.refused(message.reason);
        return;
      case "relay-down":
        this.#links.get(message.relay)?.down(message.frames);
        return;
      case "relay-close":
        this.#links.get(message.relay)?.close(message.code, message.reason);
        return;
    }
  }

  #onResume(message: RelayResume): void {
    const { from, relay } = message;
    const key = `${from}/${relay}`;
    if (this.#sockets.has(key)) return;
    const encoding = this.#host.encodingNamed(message.encoding ?? "svc.json");
    if (encoding === undefined) {
      this.#control(from, { t: "relay-refused", relay, reason: SessionReason.Encoding });
      return;
    }
    const socket = new RelayedSocket(
      from,
      relay,
      message.principal,
      message.address,
      encoding,
      (out) => this.#send(from, out),
      (out) => this.#control(from, out),
      (closed) => {
        if (this.#sockets.get(key) === closed) this.#sockets.delete(key);
      },
    );
    this.#sockets.set(key, socket);
    const request: SessionRequest = { resume: message.token, ack: message.ack, features: [] };
    const outcome = this.#host.resume(socket, message.requestId, request);
    if (typeof outcome === "string") {
      this.#sockets.delete(key);
      this.#control(from, { t: "relay-refused", relay, reason: outcome });
    } else if (outcome !== undefined) {
      // Ahead of the answer and the replay, which the socket sends at the end of this turn.
      this.#control(from, { t: "relay-resumed", relay });
    }
    // undefined: the request broke the protocol, and the socket sent its close.
  }

  /** Those nodes are gone: so are the sessions they owned, and the sockets they held. */
  nodesLost(nodes: readonly string[]): void {
    const lost = new Set(nodes);
    for (const node of lost) this.#owed.delete(node);
    for (const link of [...this.#links.values()]) {
      if (!lost.has(link.owner)) continue;
      if (link.open) link.close(SessionCloseCode.Ended, SessionReason.NodeLost);
      else link.refused(SessionReason.NodeLost);
    }
    for (const socket of [...this.#sockets.values()]) {
      if (lost.has(socket.node)) socket.peerGone(relayBrokenCode);
    }
  }

  /**
   * The backplane lost Redis: every relay may have lost messages, so each is torn down.
   * Clients resume (with backoff) once Redis is back; their sessions wait for them.
   */
  down(): void {
    for (const link of [...this.#links.values()]) link.unavailable("Redis is unavailable");
    for (const socket of [...this.#sockets.values()]) {
      this.#control(socket.node, closeFor(socket.relay, "relay broken", tryAgainLaterCode));
      socket.peerGone(relayBrokenCode);
    }
  }

  /** The backplane is back: what could not be said meanwhile is said now. */
  up(): void {
    const owed = [...this.#owed];
    this.#owed.clear();
    for (const [node, messages] of owed) {
      for (const message of messages) this.#control(node, message);
    }
  }

  // ---- sending -------------------------------------------------------------------------

  #send(node: string, message: object): Promise<void> {
    return this.#sendPayload(node, JSON.stringify(message));
  }

  /** Sends a control message; one the backplane cannot take now is owed until it is back. */
  #control(node: string, message: object): void {
    this.#send(node, message).catch((error: unknown) => {
      if (error instanceof BackplaneError && error.reason === "node-lost") return;
      let owed = this.#owed.get(node);
      if (owed === undefined) this.#owed.set(node, (owed = []));
      // Bounded: one per relay, and relays are bounded by connections.
      if (owed.length < 100_000) owed.push(message);
    });
  }
}

function closeFor(relay: string, reason: string, code: number = SessionCloseCode.TakenOver) {
  return { t: "relay-close", relay, code, reason };
}

/** The principal as it travels to the owner, which compares it (`samePrincipal`). */
function principalJson(principal: unknown): { principal?: unknown } {
  if (principal === undefined) return {};
  try {
    const text = JSON.stringify(principal);
    return text === undefined ? {} : { principal: JSON.parse(text) as unknown };
  } catch {
    // Not JSON: nothing the owner could compare it with; it refuses as "principal".
    return { principal: null };
  }
}
