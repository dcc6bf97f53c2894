/**
 * What a WebSocket client has on the server, apart from its socket: the calls it is running,
 * its callbacks and their proxies, our `$/callback` requests waiting for its answers, and its
 * `perConnection` instances. Reads JSON-RPC messages in order, dispatches calls
 * concurrently, answers them as they complete, and is the channel of its proxies.
 *
 * Without `$/session` a session lives as long as its one socket, exactly as a plain
 * connection. With it, the session is sequenced: every message either way carries a `seq`,
 * what the client has not acknowledged is kept, and the session outlives its sockets: a
 * socket that goes away only detaches it, and a resume attaches a new one (see
 * docs/sessions.md). The bookkeeping of seq and acks is in ../session; the socket in
 * WsAttachment (or, in a cluster, a socket relayed from another node: cluster/); tokens,
 * windows and node-wide bounds in SessionRegistry.
 */
import type { WireFlavor } from "../codec/flavor.js";
import type { JsonValue } from "../codec/schema.js";
import type { CallbackDescriptor, MethodDescriptor } from "../descriptors.js";
import { ErrorCode } from "../protocol/codes.js";
import { RpcError } from "../protocol/errors.js";
import { encodeAnswers } from "../encoding/responses.js";
import { FrameError, type WireEncoding } from "../encoding/types.js";
import {
  emptyBatchResponse,
  errorResponse,
  nestedTooDeeplyResponse,
  parseErrorResponse,
  parseMessage,
  resultResponse,
  type JsonRpcId,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
} from "../protocol/jsonrpc.js";
import type { CallNext } from "../interceptors/interceptor.js";
import { metaMember, readMeta } from "../protocol/meta.js";
import type { Frame } from "../session/frame.js";
import { ackFrameIn, ackMethod, parseAck } from "../session/handshake.js";
import { InboundStream, type AckSender } from "../session/inbound.js";
import { OutboundStream } from "../session/outbound.js";
import { SessionCloseCode, SessionReason } from "../session/reasons.js";
import { asClientError, errorFromWire, errorToWire } from "./callback-codec.js";
import { CallbackState, type CallbackChannel, type CallbackOwner } from "./callback-proxy.js";
import { SmallTable } from "./small-table.js";
import { ConnectionLog } from "./connection-log.js";
import type { ConnectionInfo } from "./context.js";
import type { Dispatcher, Invocation } from "./dispatcher.js";
import type { CallMetrics } from "./metrics/call-metrics.js";
import type { ResolvedServerOptions } from "./options.js";
import { ProvisionalCallbacks } from "./provisional-callbacks.js";
import { BurstMeter } from "./burst-meter.js";
import { InstanceScope } from "./registry.js";
import {
  CloseCode,
  frameSize,
  type AttachmentReader,
  type SessionSocket,
} from "./ws-attachment.js";
import { sequenceEncodingFor } from "./ws-encodings.js";

const callbackIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

interface PendingCallbackRequest {
  readonly method: MethodDescriptor;
  readonly resolve: (result: JsonValue) => void;
  readonly reject: (error: RpcError) => void;
}

/** What a sequenced session tells the registry that keeps it. */
export interface SessionKeeper {
  /** Its socket went away without ending it: the window starts. */
  detached(session: WsSession): void;
  /** A socket is attached again. */
  reattached(session: WsSession): void;
  /** The bytes it keeps changed by `delta` while detached. */
  grew(session: WsSession, delta: number): void;
  /** It is over: forget it, remembering `reason` for a late resume. */
  ended(session: WsSession, reason: string): void;
}

/**
 * The refusal of a client's answer nested beyond the limit. The client's fault, so it
 * never speaks for the server: escaping the implementation, it is an undeclared error.
 */
function tooDeepAnswer(maxDepth: number): RpcError {
  return asClientError(
    new RpcError(
      ErrorCode.InvalidParams,
      `callback answered with a value nested too deeply (more than ${maxDepth} levels)`,
    ),
  );
}

/** Arguments of an awaited callback that cannot travel: a fault of the implementation. */
function unencodable(method: MethodDescriptor, error: unknown): RpcError {
  const detail = error instanceof FrameError ? error.message : "not encodable";
  return new RpcError(ErrorCode.InternalError, `callback ${method.name}: arguments ${detail}`);
}

function toRpcError(error: unknown): RpcError {
  return error instanceof RpcError
    ? error
    : new RpcError(ErrorCode.InternalError, "Internal error");
}

function closedError(reason: string): RpcError {
  return new RpcError(ErrorCode.ConnectionClosed, "connection closed before the answer came", {
    reason,
  });
}

/**
 * One call from the client, and its Invocation. The AbortSignal is made only when something
 * reads it (most calls finish without anyone looking); a `$/cancel` before that only marks
 * the call aborted.
 */
class WsCall implements Invocation {
  readonly #session: WsSession;
  #controller: AbortController | undefined;
  #aborted = false;
  #resolveCallback:
    ((id: string, callback: CallbackDescriptor, pointer: string) => unknown) | undefined;
  /** Callbacks this call was the first to name; released if it fails. */
  introduced: CallbackState[] | undefined;

  constructor(
    session: WsSession,
    readonly method: MethodDescriptor,
    readonly params: unknown,
    /** The request id; undefined for a notification. */
    readonly id: JsonRpcId | undefined,
    /** The message as received (its `meta` is read only if an interceptor asks). */
    readonly message: unknown,
  ) {
    this.#session = session;
  }

  get transport(): "ws" {
    return "ws";
  }
  get flavor(): WireFlavor {
    return this.#session.flavor;
  }
  get endpoint(): "ws" {
    return "ws";
  }
  get requestId(): JsonRpcId | undefined {
    return this.id;
  }
  metadata(): Record<string, string> {
    return readMeta(this.message);
  }
  get principal(): unknown {
    return this.#session.principal;
  }
  get connection(): ConnectionInfo {
    return this.#session.info;
  }
  get scope(): InstanceScope {
    return this.#session.scope;
  }
  get resolveCallback(): (id: string, callback: CallbackDescriptor, pointer: string) => unknown {
    // Only a method taking a callback needs to know which call resolved it.
    if (!this.method.takesCallback) return this.#session.resolveCallback;
    return (this.#resolveCallback ??= (id, callback, pointer) =>
      this.#session.proxyFor(id, callback, pointer, this));
  }
  get aborted(): boolean {
    return this.#aborted;
  }
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort();
    }
    return this.#controller.signal;
  }

  abort(): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#controller?.abort();
  }
}

/** The seq machinery of a sequenced session (absent for plain connections). */
interface Sequencing {
  readonly outbound: OutboundStream;
  readonly inbound: InboundStream;
  readonly keeper: SessionKeeper;
  /** Bytes last reported to the keeper while detached. */
  reported: number;
  /** What this burst sent: not yet acknowledgeable, so not held against the client. */
  readonly burst: BurstMeter;
}

export class WsSession implements CallbackChannel, AttachmentReader, AckSender {
  readonly info: ConnectionInfo;
  readonly principal: unknown;
  #log: ConnectionLog | undefined;

  readonly #dispatcher: Dispatcher;
  readonly #options: ResolvedServerOptions;
  readonly #nodeId: string;
  /** Every frame of the session is in this encoding, whichever socket carries it. */
  readonly #encoding: WireEncoding;
  #attachment: SessionSocket | undefined;
  readonly #seq: Sequencing | undefined;
  /** Calls from the client still running, by request id (`1` and `"1"` are different keys). */
  #inFlight: SmallTable<JsonRpcId, WsCall> | undefined;
  /** Calls running, notifications included (the in-flight limit counts both). */
  #running = 0;
  #callbacks: SmallTable<string, CallbackState> | undefined;
  /** Callbacks introduced by calls still running (see provisional-callbacks.ts). */
  #provisional: ProvisionalCallbacks<WsCall> | undefined;
  /** Our `$/callback` requests waiting for the client's answer. */
  #pending: Map<number, PendingCallbackRequest> | undefined;
  /** Holds `perConnection` instances; made on first use. */
  #scope: InstanceScope | undefined;
  #resolveCallback:
    ((id: string, callback: CallbackDescriptor, pointer: string) => unknown) | undefined;
  #nextRequestId = 1;
  #ended = false;
  /** Set when the server stops answering before it closes (see abandonCalls). */
  #abandoned = false;
  #endedPromise: Promise<void> | undefined;
  #resolveEnded: (() => void) | undefined;
  /** Waiters of `idle()`: run when the last running call finished. */
  #onIdle: (() => void) | undefined;
  readonly #onEnded: ((session: WsSession) => void) | undefined;

  constructor(
    dispatcher: Dispatcher,
    options: ResolvedServerOptions,
    attachment: SessionSocket,
    info: ConnectionInfo,
    /** The id of this server in its cluster (part of every CallbackRef). */
    nodeId: string,
    /** Present for a sequenced session (the client asked with `$/session`). */
    keeper: SessionKeeper | undefined,
    onEnded?: (session: WsSession) => void,
  ) {
    this.#dispatcher = dispatcher;
    this.#options = options;
    this.principal = attachment.principal;
    this.info = info;
    this.#nodeId = nodeId;
    this.#onEnded = onEnded;
    this.#encoding = attachment.encoding;
    if (keeper !== undefined) {
      const { sessions } = options;
      this.#seq = {
        outbound: new OutboundStream({
          encoding: sequenceEncodingFor(attachment.encoding, options),
          congestedBytes: sessions.congestedBytes,
        }),
        inbound: new InboundStream(this, sessions.ack),
        keeper,
        reported: 0,
        burst: new BurstMeter(),
      };
    }
    this.#attachment = attachment;
    attachment.reader = this;
  }

  /** Where the session's warnings go, each repeated one rate-limited (made on first use). */
  get log(): ConnectionLog {
    return (this.#log ??= new ConnectionLog(this.#options.logger, this.info.id));
  }

  get sequenced(): boolean {
    return this.#seq !== undefined;
  }

  get attached(): boolean {
    return this.#attachment !== undefined;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Bytes kept for replay (and waiting to be conflated); 0 without sequencing. */
  get keptBytes(): number {
    return this.#seq?.outbound.bytes ?? 0;
  }

  /** The last seq received from the client. */
  get lastReceived(): number {
    return this.#seq?.inbound.last ?? 0;
  }

  /** The last seq sent to the client. */
  get lastSent(): number {
    return this.#seq?.outbound.lastSeq ?? 0;
  }

  /** Resolves once the session ended and everything of it is released. */
  get whenEnded(): Promise<void> {
    if (this.#ended) return Promise.resolve();
    return (this.#endedPromise ??= new Promise((resolve) => (this.#resolveEnded = resolve)));
  }

  get scope(): InstanceScope {
    return (this.#scope ??= new InstanceScope());
  }

  /** Callback id of the client → the session's one proxy for it (made on first use). */
  get resolveCallback(): (id: string, callback: CallbackDescriptor, pointer: string) => unknown {
    return (this.#resolveCallback ??= (id, callback, pointer) =>
      this.proxyFor(id, callback, pointer, undefined));
  }

  /** The nesting limit of every value this connection reads or writes. */
  get maxDepth(): number {
    return this.#options.limits.maxDepth;
  }

  /** The encoding of every frame of the session (negotiated by its first socket). */
  get encoding(): WireEncoding {
    return this.#encoding;
  }

  /** How values are written for the session's encoding. */
  get flavor(): WireFlavor {
    return this.#encoding.flavor;
  }

  /** One message as a frame of the session's encoding; throws FrameError. */
  encode(message: object): string | Uint8Array {
    return this.#encoding.encode(message);
  }

  /** Where its callbacks are counted: the server's per-method figures. */
  get metrics(): CallMetrics {
    return this.#dispatcher.metrics;
  }

  // ---- figures (server.stats(), the inspector): read from the state as it is ---------

  /** Calls of the client running now, notifications included. */
  get callsRunning(): number {
    return this.#running;
  }

  /** Callbacks the client registered and the server holds. */
  get callbackCount(): number {
    return this.#callbacks?.size ?? 0;
  }

  /** Our awaited `$/callback` requests waiting for the client's answer. */
  get callbackRequestsPending(): number {
    return this.#pending?.size ?? 0;
  }

  /** The callbacks the client registered (for the inspector). */
  callbackStates(): readonly CallbackState[] {
    return this.#callbacks?.values() ?? [];
  }

  /** Bytes written to the attached socket and not sent yet; 0 when detached. */
  get bufferedBytes(): number {
    return this.#attachment?.bufferedAmount ?? 0;
  }

  /** Resolves once no call of the client is running (a graceful server close waits for it). */
  idle(): Promise<void> {
    if (this.#running === 0 || this.#ended) return Promise.resolve();
    return new Promise((resolve) => {
      const before = this.#onIdle;
      this.#onIdle = () => {
        before?.();
        resolve();
      };
    });
  }

  /**
   * Stops answering (a server shutting down after its grace period): calls still running are
   * aborted and left unanswered, so that the client counts them lost with the connection
   * and sends `@idempotent` ones again to the next server, as after a crash.
   */
  abandonCalls(): void {
    this.#abandoned = true;
    if (this.#inFlight !== undefined) for (const call of this.#inFlight.values()) call.abort();
  }

  #notifyIdle(): void {
    const waiters = this.#onIdle;
    this.#onIdle = undefined;
    waiters?.();
  }

  // ---- attaching (sequenced sessions) ----------------------------------------------

  /**
   * Attaches a resuming socket: `peerAck` is the last seq the client received. The caller
   * has already answered the handshake on it; what the client lacks is replayed now.
   * False when `peerAck` is ahead of anything sent.
   */
  attach(attachment: SessionSocket, peerAck: number): boolean {
    const seq = this.#seq;
    if (seq === undefined || this.#ended) return false;
    const previous = this.#attachment;
    if (previous !== undefined && previous !== attachment) {
      // Takeover: the older socket may be half-open; it is told, and no longer read.
      this.#attachment = undefined;
      previous.reader = detachedReader;
      previous.close(SessionCloseCode.TakenOver, "session taken over");
      seq.outbound.detach();
    }
    this.#attachment = attachment;
    attachment.reader = this;
    if (previous === undefined) seq.keeper.reattached(this);
    seq.reported = 0;
    seq.inbound.acknowledgedByHandshake();
    return seq.outbound.attach(attachment, peerAck);
  }

  /**
   * Ends the session (its callbacks released with `reason`), closing its socket if any: a
   * sequenced session with 4001 and the reason, so that its client does not try to resume.
   */
  end(reason: string, closeCode?: number): void {
    if (this.#ended) return;
    const attachment = this.#attachment;
    this.#finish(reason);
    const code = closeCode ?? (this.#seq ? SessionCloseCode.Ended : CloseCode.GoingAway);
    if (attachment !== undefined && !attachment.isClosed) attachment.close(code, reason);
  }

  // ---- AttachmentReader ------------------------------------------------------------

  onFrame(frame: string | Uint8Array, from: SessionSocket): void {
    if (from !== this.#attachment || this.#ended) return;
    let value: unknown;
    let tooDeep: boolean;
    try {
      ({ value, tooDeep } = this.#encoding.decode(frame));
    } catch (error) {
      if (error instanceof FrameError && error.reason === "too-large") {
        from.close(CloseCode.MessageTooBig, "frame too large");
      } else if (error instanceof FrameError && error.reason === "frame-type") {
        from.close(CloseCode.UnsupportedData, error.message);
      } else {
        this.#send(parseErrorResponse());
      }
      return;
    }
    this.onValue(value, frameSize(frame), tooDeep);
  }

  /**
   * One parsed frame (the endpoint hands over the first one it already parsed). `tooDeep`:
   * it was nested beyond the limit, and its deep parts were cut out.
   */
  onValue(value: unknown, bytes: number, tooDeep: boolean): void {
    if (Array.isArray(value)) {
      if (this.#seq !== undefined) this.#onSequencedBatch(value, bytes, tooDeep);
      else this.#onBatch(value, tooDeep);
      return;
    }
    if (this.#seq !== undefined && !this.#admit(value, bytes)) return;
    this.#onSingle(value, tooDeep);
  }

  /** One message handled as if it had come alone: a call answers when it is done. */
  #onSingle(value: unknown, tooDeep: boolean): void {
    const answer = this.#onMessage(value, true, tooDeep);
    if (answer !== undefined) void answer.then((response) => response && this.#send(response));
  }

  /**
   * A batch in a session: a coalesced frame of the client's, or a JSON-RPC batch. Every
   * message has its own seq and is handled as if it had come alone, so a slow call never
   * holds up the answers of the others. Over `maxBatchSize`, nothing of it runs: each request
   * is answered -32006 with its own id (its seq is taken: the client must hear of it), while
   * answers and acks, which only settle what the server asked, are still taken.
   */
  #onSequencedBatch(messages: unknown[], bytes: number, tooDeep: boolean): void {
    const each = Math.ceil(bytes / Math.max(1, messages.length));
    const limit = this.#options.limits.maxBatchSize;
    const overLimit = messages.length > limit;
    for (const message of messages) {
      const admission = this.#admission(message, each);
      if (admission === "broken") return; // the socket is closing with 1002
      if (admission === "drop") continue;
      if (!overLimit) this.#onSingle(message, tooDeep);
      else this.#refuseOverLimit(message, messages.length, limit, tooDeep);
    }
  }

  #refuseOverLimit(message: unknown, size: number, limit: number, tooDeep: boolean): void {
    const parsed = parseMessage(message);
    if (parsed.kind === "response" || (parsed.kind === "invalid" && parsed.response)) {
      this.#onSingle(message, tooDeep);
    } else if (parsed.kind === "request") {
      this.#send(
        errorResponse(parsed.message.id, {
          code: ErrorCode.LimitExceeded,
          message: `batch of ${size} messages is over the limit of ${limit}`,
        }),
      );
    }
  }

  onOverloaded(from: SessionSocket): void {
    if (from !== this.#attachment) return;
    this.#finish(this.#seq !== undefined ? SessionReason.SlowConsumer : SessionReason.Disconnected);
  }

  onDetached(from: SessionSocket, code: number): void {
    if (from !== this.#attachment || this.#ended) return;
    this.#attachment = undefined;
    const seq = this.#seq;
    // A plain connection ends with its socket; a session ends only when the client says so.
    if (seq === undefined || code === CloseCode.Normal) {
      this.#finish(SessionReason.Disconnected);
      return;
    }
    seq.outbound.detach();
    seq.reported = seq.outbound.bytes;
    seq.keeper.detached(this);
  }

  // ---- CallbackChannel -------------------------------------------------------------

  #owner: CallbackOwner | undefined;

  get owner(): CallbackOwner {
    return (this.#owner ??= { node: this.#nodeId, connection: this.info.id });
  }

  /** The live callback the client registered under `id`, if any (calls from other nodes). */
  callback(id: string): CallbackState | undefined {
    return this.#callbacks?.get(id);
  }

  sendFrame(frame: Frame, conflateKey?: string): boolean {
    if (this.#ended || this.#abandoned) return false;
    const seq = this.#seq;
    if (seq === undefined) return this.#attachment?.write(frame) ?? false;
    const before = seq.outbound.bytes;
    seq.outbound.send(frame, conflateKey);
    seq.burst.add(seq.outbound.bytes - before);
    this.#checkBounds(seq);
    return !this.#ended;
  }

  get callbackChain(): CallNext | undefined {
    return this.#dispatcher.callbacks;
  }

  request(
    method: MethodDescriptor,
    params: JsonValue,
    track: (reject: (error: RpcError) => void) => () => void,
    metadata?: Record<string, string>,
  ): Promise<JsonValue> {
    return new Promise<JsonValue>((resolve, reject) => {
      const id = this.#nextRequestId++;
      const pendingRequests = (this.#pending ??= new Map<number, PendingCallbackRequest>());
      const settle = () => {
        clearTimeout(timer);
        untrack();
        pendingRequests.delete(id);
      };
      // Wall-clock time: a detached session's requests keep their deadline.
      const timer = setTimeout(() => {
        settle();
        reject(new RpcError(ErrorCode.TimedOut, `callback ${method.name} timed out`));
      }, this.#options.callbackTimeoutMs);
      const untrack = track((error) => {
        settle();
        reject(error);
      });
      pendingRequests.set(id, {
        method,
        resolve: (result) => {
          settle();
          resolve(result);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      });
      let frame: string | Uint8Array;
      try {
        const message = {
          jsonrpc: "2.0",
          id,
          method: "$/callback",
          params,
          ...metaMember(metadata),
        };
        frame = this.#encoding.encode(message);
      } catch (error) {
        pendingRequests.get(id)?.reject(unencodable(method, error));
        return;
      }
      if (!this.sendFrame(frame)) {
        pendingRequests.get(id)?.reject(closedError(SessionReason.Disconnected));
      }
    });
  }

  forget(id: string): void {
    this.#callbacks?.delete(id);
  }

  // ---- reading ---------------------------------------------------------------------

  /**
   * The seq check of a sequenced session: true to handle the message, false to drop it (a
   * duplicate, or an `$/ack` handled here). A jump or a missing seq closes with 1002.
   */
  #admit(value: unknown, bytes: number): boolean {
    return this.#admission(value, bytes) === "handle";
  }

  /** The seq check of one message: handle it, drop it, or the session protocol broke. */
  #admission(value: unknown, bytes: number): "handle" | "drop" | "broken" {
    const seq = this.#seq!;
    const message = value as Record<string, unknown> | null;
    const n = typeof message === "object" && message !== null ? message["seq"] : undefined;
    if (n === undefined && message?.["method"] === ackMethod) {
      const acked = parseAck(message["params"]);
      if (acked === undefined || !seq.outbound.ack(acked)) {
        this.#protocolError("bad $/ack");
        return "broken";
      }
      this.#reportGrowth(seq);
      return "drop";
    }
    if (typeof n !== "number" || !Number.isSafeInteger(n)) {
      this.#protocolError("a message without seq in a session");
      return "broken";
    }
    const verdict = seq.inbound.receive(n, bytes);
    if (verdict === "gap") {
      this.#protocolError(`seq ${n} after ${seq.inbound.last}`);
      return "broken";
    }
    return verdict === "accept" ? "handle" : "drop";
  }

  #protocolError(detail: string): void {
    this.log.info("websocket session protocol error", { detail });
    // The client resumes after a 1002 like after any cut; a bug fails loudly, loses nothing.
    this.#attachment?.close(CloseCode.ProtocolError, detail.slice(0, 120));
  }

  #onBatch(messages: unknown[], tooDeep: boolean): void {
    if (messages.length === 0) {
      this.#send(emptyBatchResponse());
      return;
    }
    if (messages.length > this.#options.limits.maxBatchSize) {
      this.#send(
        errorResponse(null, {
          code: ErrorCode.LimitExceeded,
          message: `batch of ${messages.length} messages is over the limit of ${this.#options.limits.maxBatchSize}`,
        }),
      );
      return;
    }
    // Every member starts now, in order; the batch is answered once all are done.
    void Promise.all(messages.map((message) => this.#onMessage(message, false, tooDeep))).then(
      (responses) => {
        const answers = responses.filter((r): r is JsonRpcResponse => r !== undefined);
        if (answers.length === 0) return;
        // In a session every message has its own seq: the answers go one by one.
        if (this.#seq !== undefined) for (const answer of answers) this.#send(answer);
        else this.#send(answers);
      },
    );
  }

  /**
   * Handles one message. With `reply`, a call's answer is sent by the call itself and the
   * result is undefined or an immediate answer; without (batches), it resolves with the answer.
   * `tooDeep`: the frame was nested beyond the limit, and its deep parts were cut out.
   */
  #onMessage(
    value: unknown,
    reply: boolean,
    tooDeep: boolean,
  ): Promise<JsonRpcResponse | undefined> | undefined {
    const parsed = parseMessage(value);
    if (tooDeep) return this.#onTooDeep(parsed, reply);
    switch (parsed.kind) {
      case "invalid":
        if (parsed.response) {
          // Never answer an answer: its id is in our id space, not the client's.
          this.#onMalformedAnswer(parsed.id);
          return reply ? undefined : Promise.resolve(undefined);
        }
        return Promise.resolve(errorResponse(parsed.id, parsed.error));
      case "response":
        this.#onResponse(parsed.message);
        return reply ? undefined : Promise.resolve(undefined);
      case "notification":
        this.#onNotification(parsed.message, value);
        return reply ? undefined : Promise.resolve(undefined);
      case "request":
        return this.#onRequest(parsed.message, reply, value);
    }
  }

  /** A message nested beyond the limit: refused, answered only when it was a request. */
  #onTooDeep(
    parsed: ReturnType<typeof parseMessage>,
    reply: boolean,
  ): Promise<JsonRpcResponse | undefined> | undefined {
    const none = reply ? undefined : Promise.resolve(undefined);
    switch (parsed.kind) {
      case "request":
        return Promise.resolve(nestedTooDeeplyResponse(parsed.message.id));
      case "response":
        this.#failPending(parsed.message.id, tooDeepAnswer(this.maxDepth));
        return none;
      case "notification":
        this.log.warn("websocket notification dropped: nested too deeply", {
          method: parsed.message.method,
        });
        return none;
      case "invalid":
        if (parsed.response) {
          this.#failPending(parsed.id, tooDeepAnswer(this.maxDepth));
          return none;
        }
        return Promise.resolve(errorResponse(parsed.id, parsed.error));
    }
  }

  /** An answer that is not a well-formed response fails the callback it names at once. */
  #onMalformedAnswer(id: JsonRpcId): void {
    const failed = this.#failPending(
      id,
      asClientError(
        new RpcError(ErrorCode.InternalError, "callback answered with a malformed response"),
      ),
    );
    if (!failed) this.log.warn("websocket answer ignored: malformed and matching no callback");
  }

  /** Rejects our pending `$/callback` request `id`; false when there is none. */
  #failPending(id: JsonRpcId, error: RpcError): boolean {
    const pending = typeof id === "number" ? this.#pending?.get(id) : undefined;
    if (pending === undefined) return false;
    pending.reject(error);
    return true;
  }

  #onResponse(response: JsonRpcResponse): void {
    if (typeof response.id !== "number") return;
    const pending = this.#pending?.get(response.id);
    if (pending === undefined) return; // late answer to a timed-out or released callback
    if ("error" in response) {
      pending.reject(errorFromWire(pending.method, response.error, this.flavor));
    } else pending.resolve(response.result);
  }

  #onNotification(message: JsonRpcNotification, raw: unknown): void {
    const params = message.params as Record<string, unknown> | undefined;
    switch (message.method) {
      case "$/cancel":
        this.#inFlight?.get(params?.["id"] as JsonRpcId)?.abort();
        return;
      case "$/release": {
        const id = params?.["callback"];
        if (typeof id === "string") this.#callbacks?.get(id)?.release("released", false);
        return;
      }
    }
    const method = this.#dispatcher.lookup(message.method);
    if (method === undefined) return;
    if (this.#running >= this.#options.limits.maxInFlightPerConnection) {
      this.log.warn("notification dropped: too many calls in flight", { method: message.method });
      return;
    }
    void this.#run(new WsCall(this, method, message.params, undefined, raw), false);
  }

  #onRequest(
    message: JsonRpcRequest,
    reply: boolean,
    raw: unknown,
  ): Promise<JsonRpcResponse | undefined> | undefined {
    const { id } = message;
    if (message.method === "$/contract") {
      return Promise.resolve(resultResponse(id, { services: this.#dispatcher.contract() }));
    }
    if (message.method === "$/cancel" || message.method === "$/release") {
      this.#onNotification(message, raw);
      return Promise.resolve(resultResponse(id, null));
    }
    const method = message.method.startsWith("$/")
      ? undefined
      : this.#dispatcher.lookup(message.method);
    if (method === undefined) {
      return Promise.resolve(
        errorResponse(id, {
          code: ErrorCode.MethodNotFound,
          message: `Method not found: ${message.method}`,
        }),
      );
    }
    if (this.#running >= this.#options.limits.maxInFlightPerConnection) {
      return Promise.resolve(
        errorResponse(id, {
          code: ErrorCode.LimitExceeded,
          message: `too many calls in flight (limit ${this.#options.limits.maxInFlightPerConnection})`,
        }),
      );
    }
    const inFlight = (this.#inFlight ??= new SmallTable<JsonRpcId, WsCall>());
    if (inFlight.has(id)) {
      return Promise.resolve(
        errorResponse(id, {
          code: ErrorCode.InvalidRequest,
          message: `Invalid request: id ${JSON.stringify(id)} is already in use by a running call`,
        }),
      );
    }
    const call = new WsCall(this, method, message.params, id, raw);
    inFlight.set(id, call);
    const answer = this.#run(call, reply);
    return reply ? undefined : answer;
  }

  /**
   * Runs a call; sends its answer (`reply`) or resolves with it. Notifications get none. A
   * synchronous implementation is answered in the turn its message arrived, without a
   * promise (`Dispatcher.invokeDirect`, as over REST).
   */
  #run(call: WsCall, reply: boolean): Promise<JsonRpcResponse | undefined> | undefined {
    this.#running++;
    let outcome: JsonValue | undefined | Promise<JsonValue | undefined>;
    try {
      outcome = this.#dispatcher.invokeDirect(call);
    } catch (error) {
      return this.#callEnded(call, reply, undefined, { error });
    }
    if (!(outcome instanceof Promise)) return this.#callEnded(call, reply, outcome, undefined);
    const finished = outcome.then(
      (result) => this.#callEnded(call, reply, result, undefined),
      (error: unknown) => this.#callEnded(call, reply, undefined, { error }),
    );
    return reply ? undefined : finished;
  }

  /** A call ended with `result`, or with `failure`: its bookkeeping, then its answer. */
  #callEnded(
    call: WsCall,
    reply: boolean,
    result: JsonValue | undefined,
    failure: { readonly error: unknown } | undefined,
  ): Promise<JsonRpcResponse | undefined> | undefined {
    let response: JsonRpcResponse | undefined;
    if (call.id !== undefined) {
      response =
        failure === undefined
          ? resultResponse(call.id, result)
          : errorResponse(call.id, errorToWire(toRpcError(failure.error), this.flavor));
    }
    this.#running--;
    if (call.id !== undefined && this.#inFlight !== undefined) {
      this.#inFlight.delete(call.id);
      // An idle connection holds no table (thousands of idle connections add up).
      if (this.#inFlight.size === 0) this.#inFlight = undefined;
    }
    if (this.#running === 0) this.#notifyIdle();
    // Released before the answer goes out: the client forgets them before its call settles.
    if (call.introduced !== undefined && this.#provisional !== undefined) {
      this.#provisional.settle(call, call.introduced, failure !== undefined);
      // An idle connection holds no table (as for calls in flight).
      if (this.#provisional.size === 0) this.#provisional = undefined;
    }
    if (!reply) return Promise.resolve(response);
    if (response !== undefined) this.#send(response);
    return undefined;
  }

  /** @internal The connection's proxy for a callback id; `call` is the call naming it. */
  proxyFor(
    id: unknown,
    descriptor: CallbackDescriptor,
    pointer: string,
    call: WsCall | undefined,
  ): unknown {
    if (typeof id !== "string" || !callbackIdPattern.test(id)) {
      throw new RpcError(ErrorCode.InvalidParams, `${pointer}: expected a callback id`, {
        errors: [{ pointer, detail: "expected a callback id" }],
      });
    }
    const callbacks = (this.#callbacks ??= new SmallTable<string, CallbackState>());
    const existing = callbacks.get(id);
    if (existing !== undefined) {
      if (existing.descriptor.name !== descriptor.name) {
        throw new RpcError(
          ErrorCode.InvalidParams,
          `${pointer}: callback ${id} is a ${existing.descriptor.name}`,
          { errors: [{ pointer, detail: `callback ${id} is a ${existing.descriptor.name}` }] },
        );
      }
      if (call !== undefined) this.#provisional?.named(existing, call);
      return existing.proxy;
    }
    const limit = this.#options.limits.maxCallbacksPerConnection;
    if (callbacks.size >= limit) {
      throw new RpcError(ErrorCode.LimitExceeded, `too many callbacks (limit ${limit})`);
    }
    const state = new CallbackState(id, descriptor, this);
    callbacks.set(id, state);
    if (call !== undefined) {
      (this.#provisional ??= new ProvisionalCallbacks()).introduced(state, call);
      (call.introduced ??= []).push(state);
    }
    return state.proxy;
  }

  // ---- writing and teardown --------------------------------------------------------

  /** Sends answers; one that cannot be encoded goes out as -32603, and the connection stays. */
  #send(message: JsonRpcResponse | JsonRpcResponse[]): void {
    const { frame, unencodable } = encodeAnswers(this.#encoding, message);
    if (unencodable > 0) {
      this.log.error("websocket answer could not be encoded: sent -32603 instead", {
        answers: unencodable,
        maxDepth: this.maxDepth,
      });
    }
    this.sendFrame(frame);
  }

  /** @internal AckSender: the client's messages up to `seq` arrived. */
  sendAck(seq: number): boolean {
    return this.#attachment?.write(ackFrameIn(this.#encoding, seq)) ?? false;
  }

  /** The bytes a session keeps for its client are bounded, attached or not. */
  #checkBounds(seq: Sequencing): void {
    const kept = seq.outbound.bytes;
    const limit = this.#options.sessions.maxUnackedBytes;
    const attachment = this.#attachment;
    if (attachment !== undefined) {
      // Bytes still in this process, and bytes of this burst (sent since the event loop last
      // went to I/O, so since the server last could read an ack), cannot have been
      // acknowledged yet: the client is slow only about the rest. The socket's own buffer is
      // bounded apart (maxBufferedBytes).
      if (kept - Math.max(attachment.bufferedAmount, seq.burst.bytes) <= limit) return;
      this.log.warn("websocket session closed: slow consumer", { unackedBytes: kept });
      this.end(SessionReason.SlowConsumer, CloseCode.PolicyViolation);
      return;
    }
    if (kept > limit) {
      this.#finish(SessionReason.Expired);
      return;
    }
    this.#reportGrowth(seq);
  }

  #reportGrowth(seq: Sequencing): void {
    if (this.#attachment !== undefined || this.#ended) return;
    const kept = seq.outbound.bytes;
    const delta = kept - seq.reported;
    seq.reported = kept;
    if (delta !== 0) seq.keeper.grew(this, delta);
  }

  /** Over: calls aborted, callbacks released with `reason`, pending requests rejected. */
  #finish(reason: string): void {
    if (this.#ended) return;
    this.#ended = true;
    const attachment = this.#attachment;
    this.#attachment = undefined;
    if (attachment !== undefined) attachment.reader = detachedReader;
    if (this.#inFlight !== undefined) for (const call of this.#inFlight.values()) call.abort();
    const gone = closedError(reason);
    if (this.#pending !== undefined) {
      for (const pending of [...this.#pending.values()]) pending.reject(gone);
    }
    if (this.#callbacks !== undefined) {
      for (const state of this.#callbacks.values()) {
        state.release(reason, false, ErrorCode.ConnectionClosed);
      }
    }
    this.#notifyIdle();
    this.#log?.flush();
    if (this.#seq !== undefined) {
      this.#seq.inbound.stop();
      this.#seq.outbound.clear();
      this.#seq.keeper.ended(this, reason);
    }
    // Made now if never before, so that an implementation that asks later sees it disposed.
    this.scope.dispose();
    this.#resolveEnded?.();
    this.#onEnded?.(this);
  }
}

/** Reads nothing: what an attachment is left with once its session let it go. */
export const detachedReader: AttachmentReader = {
  onFrame() {},
  onOverloaded() {},
  onDetached() {},
};
