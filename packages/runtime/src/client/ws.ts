/**
 * `connectWebSocket`: the client side of the WebSocket transport. Calls are JSON-RPC
 * requests with their own ids; callback objects passed as arguments are registered and
 * answered when the server calls them (`$/callback`). A lost connection is re-established
 * with backoff. With a session (the default) the new socket resumes it and nothing is lost
 * (ws-session.ts); without one, `@idempotent` calls still waiting are sent again and others
 * fail with -32007.
 */
import { decodeResult, encodeParams } from "../codec/params.js";
import type { WireFlavor } from "../codec/flavor.js";
import type { JsonValue } from "../codec/schema.js";
import type { CallbackDescriptor, MethodDescriptor, ServiceDescriptor } from "../descriptors.js";
import { ErrorCode } from "../protocol/codes.js";
import { RpcError, fromWireError } from "../protocol/errors.js";
import { defaultMaxDepth } from "../protocol/json-text.js";
import { encodeAnswers } from "../encoding/responses.js";
import { createEncoding } from "../encoding/registry.js";
import { FrameError, type EncodingName, type WireEncoding } from "../encoding/types.js";
import type { Frame } from "../session/frame.js";
import {
  nestedTooDeeplyResponse,
  parseMessage,
  type JsonRpcResponse,
} from "../protocol/jsonrpc.js";
import { Coalescer, batchFeature } from "../session/coalescer.js";
import type { Wire } from "../session/outbound.js";
import { parseSessionAnswer, withResumeHint } from "../session/handshake.js";
import { SessionCloseCode } from "../session/reasons.js";
import { Heartbeat } from "../liveness/heartbeat.js";
import { backoffDelay, resolveReconnect, type ReconnectOptions } from "./backoff.js";
import { CallbackRegistry } from "./callback-registry.js";
import {
  callState,
  composeInterceptors,
  stateOf,
  type CallNext,
  type CallWithState,
  type Interceptor,
} from "../interceptors/interceptor.js";
import { metaMember } from "../protocol/meta.js";
import { methodOf, type CallOptions, type Connection } from "./connection.js";
import { runCallback, runInterceptedCallback } from "./ws-callbacks.js";
import { ClientSession, clientFrames } from "./ws-session.js";
import { ContractMismatchError, compareContracts } from "./ws-contract.js";
import { Emitter, type WebSocketEvents } from "./ws-events.js";
import {
  OPEN,
  corkSocket,
  corkUntilTurnEnds,
  uncorkSocket,
  isPingable,
  resolveWebSocket,
  type SocketLike,
  type WebSocketConstructor,
} from "./ws-socket.js";

export interface WebSocketConnectOptions {
  /** Default call timeout (-32003). Default 30 000. */
  readonly timeoutMs?: number;
  /** How long one connect attempt may take before it counts as failed. Default 10 000. */
  readonly connectTimeoutMs?: number;
  /**
   * The wire encoding (docs/encoding.md): `"json"` (the default) offers `svc.json`;
   * `"msgpack"` offers `svc.msgpack, svc.json` and speaks whichever the server chose, so
   * a server without MessagePack still gets JSON. Values keep their TypeScript types either
   * way; MessagePack frames are smaller and cheaper to write where values are int64,
   * bytes or timestamps.
   */
  readonly encoding?: "json" | "msgpack";
  /** Subprotocols offered, overriding what `encoding` offers. */
  readonly protocols?: string | string[];
  /** Extra upgrade request headers (Node only: browsers cannot set them). */
  readonly headers?: Record<string, string>;
  /** Reconnect with backoff (the default), or `false` to close for good on the first loss. */
  readonly reconnect?: ReconnectOptions | false;
  /** Node only: ping interval; a server that missed two pongs is dropped. Default 30 000; 0: off. */
  readonly heartbeatMs?: number;
  /** Services whose contract hash must match the server's, or the connect rejects. */
  readonly checkContract?: readonly ServiceDescriptor<any>[];
  /** The WebSocket constructor to use (default: `ws` in Node, the global one elsewhere). */
  readonly WebSocket?: WebSocketConstructor;
  /**
   * Deepest nesting of a frame read or written (the envelope counts), as the server's
   * `limits.maxDepth`. A deeper answer fails its call with -32602. Default 100.
   */
  readonly maxDepth?: number;
  /**
   * Resume the session after a cut (the default): pending calls, callbacks and everything in
   * between survive. `false`: every socket is a new connection, as for a plain JSON-RPC client.
   * Also off with `reconnect: false` (nothing could resume).
   */
  readonly session?: boolean;
  /** Bytes sent and not yet acknowledged beyond which new calls fail with -32006. Default 1 MiB. */
  readonly maxUnackedBytes?: number;
  /**
   * Coalesced frames, in a session whose server accepts them (the default): the calls and
   * callback answers of one turn leave as one frame of up to 64 KiB, and the server does the
   * same for its answers and pushes. `false`: one message per frame both ways.
   */
  readonly batch?: boolean;
  /**
   * Around every call made and every callback the server makes to this client; the first
   * of the list outermost. `call.metadata` travels as the message's `meta` member (see
   * docs/interceptors.md).
   */
  readonly interceptors?: readonly Interceptor[];
}

export type WebSocketState = "connecting" | "open" | "reconnecting" | "closed";

export interface WebSocketConnection extends Connection {
  readonly state: WebSocketState;
  /** The subprotocol in use: `"svc.json"` or `"svc.msgpack"` (see the `encoding` option). */
  readonly encoding: EncodingName;
  /** Lets a callback object go: the server is sent `$/release` and the object forgotten. */
  release(callback: object): void;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends keyof WebSocketEvents>(event: E, listener: WebSocketEvents[E]): () => void;
  /** Closes for good: pending calls reject with -32007; resolves once the socket closed. */
  close(): Promise<void>;
}

/** Opens a connection; rejects when the first socket cannot open or the contract differs. */
export async function connectWebSocket(
  url: string,
  options: WebSocketConnectOptions = {},
): Promise<WebSocketConnection> {
  const constructor = await resolveWebSocket(options.WebSocket);
  const connection = new WebSocketClient(url, options, constructor);
  await connection.start();
  return connection;
}

/**
 * A call waiting for its answer. Plain data: the connection does the bookkeeping (one
 * deadline timer for all calls, no closures per call).
 */
class PendingCall {
  sent = false;
  /** In a session: written on a socket (it may have reached the server), not just kept. */
  onWire = false;
  /** Set only when the caller passed an AbortSignal. */
  onAbort: (() => void) | undefined;

  constructor(
    readonly id: number,
    readonly wireMethod: string,
    /** Undefined for `$/` methods of the protocol itself. */
    readonly method: MethodDescriptor | undefined,
    /** Encoded at send time: callback ids belong to the current socket. */
    readonly args: readonly unknown[] | undefined,
    readonly timeoutMs: number,
    /** `performance.now()` past which the call fails with -32003. */
    readonly deadline: number,
    readonly signal: AbortSignal | undefined,
    readonly resolve: (value: unknown) => void,
    readonly reject: (error: unknown) => void,
    /** What interceptors put in `metadata`: sent as the message's `meta`. */
    readonly metadata: Record<string, string> | undefined,
  ) {}

  /** Re-sent after a reconnect instead of failing with -32007. */
  get retry(): boolean {
    return this.method?.idempotent ?? true;
  }
}

/** A well-formed `$/callback` notification (no id: nothing to answer). */
function isCallbackNotification(value: unknown): value is { params: unknown } {
  if (typeof value !== "object" || value === null) return false;
  const message = value as Record<string, unknown>;
  return (
    message["method"] === "$/callback" &&
    message["jsonrpc"] === "2.0" &&
    !Object.hasOwn(message, "id") &&
    typeof message["params"] === "object" &&
    message["params"] !== null
  );
}

/** Arguments the server would refuse: the caller's mistake, like any invalid argument. */
function argumentsTooDeep(error: FrameError): RpcError {
  return new RpcError(ErrorCode.InvalidParams, `Invalid params: ${error.message}`);
}

function closedError(
  message = "connection closed before the answer came",
  reason?: string,
): RpcError {
  return new RpcError(ErrorCode.ConnectionClosed, message, reason ? { reason } : undefined);
}

/** Arguments that cannot be written (too deep for the server, or with no form on the wire). */
function unsendable(error: unknown): unknown {
  return error instanceof FrameError && error.reason === "too-deep"
    ? argumentsTooDeep(error)
    : error;
}

/** The subprotocols a connection offers for its `encoding` option. */
function offeredProtocols(options: WebSocketConnectOptions): string[] {
  if (options.protocols !== undefined) {
    return typeof options.protocols === "string" ? [options.protocols] : [...options.protocols];
  }
  return options.encoding === "msgpack" ? ["svc.msgpack", "svc.json"] : ["svc.json"];
}

/** Closes a socket whose frames are of the wrong type (browsers may not send 1003). */
function closeForFrameType(socket: SocketLike, why: string): void {
  try {
    socket.close(1003, why);
  } catch {
    socket.close(4003, why);
  }
}

/** Closes a socket whose peer broke the session protocol (browsers may not send 1002). */
function closeForProtocolError(socket: SocketLike, why: string): void {
  try {
    socket.close(SessionCloseCode.ProtocolError, why);
  } catch {
    socket.close(4002, why);
  }
}

class WebSocketClient implements WebSocketConnection {
  readonly #url: string;
  readonly #options: WebSocketConnectOptions;
  readonly #WebSocket: WebSocketConstructor;
  readonly #timeoutMs: number;
  readonly #maxDepth: number;
  readonly #events = new Emitter();
  readonly #registry = new CallbackRegistry();
  readonly #pending = new Map<number, PendingCall>();
  /** One timer for every call's deadline, armed for the earliest one (`#deadlineAt`). */
  #deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  #deadlineAt = Infinity;
  readonly #idFor = (object: object, callback: CallbackDescriptor): string =>
    this.#registry.idFor(object, callback);
  #nextId = 1;
  #socket: SocketLike | undefined;
  #state: WebSocketState = "connecting";
  #heartbeat: Heartbeat | undefined;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #closing = false;
  #socketClosed: Promise<void> = Promise.resolve();
  /** Undefined when sessions are off, or the server does not offer them. */
  #session: ClientSession | undefined;
  /** The current socket's, when its server accepted coalesced frames. */
  #coalescer: Coalescer | undefined;
  readonly #maxUnackedBytes: number;
  /**
   * The encoding of every frame, fixed by the first socket's subprotocol: later sockets
   * offer only that one, since a session's kept frames are already encoded.
   */
  #encoding: WireEncoding;
  #offered: string[];
  /** The interceptors around calls and around callbacks; undefined when there are none. */
  readonly #calls: CallNext | undefined;
  readonly #callbacks: CallNext | undefined;

  constructor(url: string, options: WebSocketConnectOptions, constructor: WebSocketConstructor) {
    this.#calls = composeInterceptors(options.interceptors, (call) =>
      this.#callDirect(call.method, call.args, stateOf<CallOptions>(call), call.metadata),
    );
    this.#callbacks = composeInterceptors(options.interceptors, runInterceptedCallback);
    this.#url = url;
    this.#options = options;
    this.#WebSocket = constructor;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#maxDepth = options.maxDepth ?? defaultMaxDepth;
    this.#maxUnackedBytes = options.maxUnackedBytes ?? 1024 * 1024;
    this.#offered = offeredProtocols(options);
    this.#encoding = this.#encodingNamed("svc.json");
    // Without reconnecting there is nothing to resume: no session to ask for.
    if (options.session !== false && options.reconnect !== false) {
      this.#session = new ClientSession(
        (frame) => this.#sendRaw(frame),
        options.batch !== false,
        () => this.#encoding,
      );
      endSessionOnPageHide(this);
    }
  }

  get state(): WebSocketState {
    return this.#state;
  }

  /** The subprotocol in use: `"svc.json"` or `"svc.msgpack"`. */
  get encoding(): EncodingName {
    return this.#encoding.name;
  }

  get #flavor(): WireFlavor {
    return this.#encoding.flavor;
  }

  #encodingNamed(name: string): WireEncoding {
    // The client reads what its server sends without a frame limit of its own (the server
    // bounds what it writes); depth and lengths are bounded as everywhere.
    const limits = { maxFrameBytes: Number.MAX_SAFE_INTEGER, maxDepth: this.#maxDepth };
    return createEncoding(name, limits) ?? createEncoding("svc.json", limits)!;
  }

  on<E extends keyof WebSocketEvents>(event: E, listener: WebSocketEvents[E]): () => void {
    return this.#events.on(event, listener);
  }

  async start(): Promise<void> {
    try {
      await this.#openSocket();
    } catch (error) {
      this.#state = "closed";
      throw error;
    }
    this.#state = "open";
    if (this.#options.checkContract?.length) {
      let mismatches;
      try {
        const answer = await this.#request("$/contract", undefined, undefined, {});
        mismatches = compareContracts(this.#options.checkContract, answer);
      } catch (error) {
        await this.close();
        throw error;
      }
      if (mismatches.length > 0) {
        await this.close();
        throw new ContractMismatchError(mismatches);
      }
    }
  }

  call<R>(
    service: ServiceDescriptor<any>,
    methodName: string,
    args: readonly unknown[],
    options: CallOptions = {},
  ): Promise<R> {
    let method: MethodDescriptor;
    try {
      method = methodOf(service, methodName);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#calls === undefined) return this.#callDirect(method, args, options, undefined);
    const call: CallWithState<CallOptions> = {
      kind: "call",
      side: "client",
      transport: "ws",
      endpoint: "ws",
      service: service.name,
      method,
      args,
      principal: undefined,
      metadata: {},
      signal: options.signal,
      [callState]: options,
    };
    return this.#calls(call) as Promise<R>;
  }

  /** A call as it goes out: `metadata` (from interceptors) travels as the message's `meta`. */
  #callDirect<R>(
    method: MethodDescriptor,
    args: readonly unknown[],
    options: CallOptions,
    metadata: Record<string, string> | undefined,
  ): Promise<R> {
    if (method.oneway) return this.#notifyCall(method, args, metadata) as Promise<R>;
    const answer = this.#request(method.wireName, method, args, options, metadata) as Promise<R>;
    const session = this.#session;
    if (!method.resubscribe || session === undefined) return answer;
    const service = method.owner as ServiceDescriptor<any>;
    const methodName = method.name;
    return answer.then((value) => {
      const callbacks = method.params.flatMap((param, i) =>
        param.callback !== undefined && typeof args[i] === "object" && args[i] !== null
          ? [args[i] as object]
          : [],
      );
      if (callbacks.every((object) => this.#registry.idOf(object) !== undefined)) {
        session.remember({ service, method: methodName, args: [...args], callbacks });
      }
      return value;
    });
  }

  release(callback: object): void {
    const id = this.#registry.idOf(callback);
    if (id === undefined) return;
    this.#registry.forget(id);
    this.#session?.forgetCallback(callback);
    this.#sendProtocol({ jsonrpc: "2.0", method: "$/release", params: { callback: id } });
  }

  async close(): Promise<void> {
    if (this.#state === "closed") return this.#socketClosed;
    this.#closing = true;
    clearTimeout(this.#reconnectTimer);
    const closed = this.#socketClosed;
    // What was sent before close() goes before the close frame, as without coalescing.
    this.#coalescer?.flush();
    // 1000 ends the session on the server too (its callbacks released, "disconnected").
    this.#socket?.close(SessionCloseCode.Normal, "client closing");
    if (this.#socket === undefined) this.#finish();
    await closed;
  }

  // ---- calls -----------------------------------------------------------------------

  /** A `oneway` method: a notification, resolved once handed to the socket. */
  #notifyCall(
    method: MethodDescriptor,
    args: readonly unknown[],
    metadata: Record<string, string> | undefined,
  ): Promise<void> {
    if (this.#session !== undefined) {
      // Kept for replay while detached, so "queued" is as good as sent.
      if (this.#state === "closed" || this.#closing) return Promise.reject(closedError("closed"));
      if (this.#session.unackedBytes > this.#maxUnackedBytes) return Promise.reject(overBound());
    } else if (this.#socket?.readyState !== OPEN || this.#state !== "open") {
      return Promise.reject(closedError("not connected"));
    }
    try {
      const params = encodeParams(method, args, this.#idFor, this.#flavor);
      this.#send(
        this.#encoding.encode({
          jsonrpc: "2.0",
          method: method.wireName,
          params: params ?? {},
          ...metaMember(metadata),
        }),
      );
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(unsendable(error));
    }
  }

  #request(
    wireMethod: string,
    method: MethodDescriptor | undefined,
    args: readonly unknown[] | undefined,
    options: CallOptions,
    metadata?: Record<string, string>,
  ): Promise<unknown> {
    if (this.#state === "closed" || this.#closing) return Promise.reject(closedError("closed"));
    const signal = options.signal;
    if (signal?.aborted) {
      return Promise.reject(new RpcError(ErrorCode.Cancelled, "Cancelled"));
    }
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const deadline = performance.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      const call = new PendingCall(
        this.#nextId++,
        wireMethod,
        method,
        args,
        timeoutMs,
        deadline,
        signal,
        resolve,
        reject,
        metadata,
      );
      if (signal !== undefined) {
        call.onAbort = () => this.#giveUp(call, new RpcError(ErrorCode.Cancelled, "Cancelled"));
        signal.addEventListener("abort", call.onAbort, { once: true });
      }
      if (this.#session !== undefined && this.#session.unackedBytes > this.#maxUnackedBytes) {
        reject(overBound());
        return;
      }
      this.#pending.set(call.id, call);
      if (deadline < this.#deadlineAt) this.#armDeadline(deadline);
      // In a session a call made while detached is kept and replayed on resume.
      if (this.#state === "open" || this.#session !== undefined) this.#transmit(call);
    });
  }

  /** Takes a call out of the books; false if it was settled already. */
  #settle(call: PendingCall): boolean {
    if (this.#pending.get(call.id) !== call) return false;
    this.#pending.delete(call.id);
    if (call.onAbort !== undefined) call.signal?.removeEventListener("abort", call.onAbort);
    return true;
  }

  #resolveCall(call: PendingCall, value: unknown): void {
    if (this.#settle(call)) call.resolve(value);
  }

  #rejectCall(call: PendingCall, error: unknown): void {
    if (this.#settle(call)) call.reject(error);
  }

  /** Timed out or aborted by the caller. */
  #giveUp(call: PendingCall, error: RpcError): void {
    if (!this.#settle(call)) return;
    // Tell the server to stop working on something nobody waits for.
    if (call.sent) {
      this.#sendProtocol({ jsonrpc: "2.0", method: "$/cancel", params: { id: call.id } });
    }
    call.reject(error);
  }

  #armDeadline(at: number): void {
    clearTimeout(this.#deadlineTimer);
    this.#deadlineAt = at;
    const delay = Math.max(1, Math.ceil(at - performance.now()));
    this.#deadlineTimer = setTimeout(() => this.#onDeadline(), delay);
  }

  /** Fails the calls whose deadline passed, then waits for the next deadline. */
  #onDeadline(): void {
    this.#deadlineTimer = undefined;
    this.#deadlineAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    const expired: PendingCall[] = [];
    for (const call of this.#pending.values()) {
      if (call.deadline <= now) expired.push(call);
      else if (call.deadline < next) next = call.deadline;
    }
    for (const call of expired) {
      this.#giveUp(
        call,
        new RpcError(ErrorCode.TimedOut, `${call.wireMethod} timed out after ${call.timeoutMs} ms`),
      );
    }
    if (next < this.#deadlineAt) this.#armDeadline(next);
  }

  #transmit(call: PendingCall): void {
    let frame: Frame;
    try {
      const params =
        call.method === undefined
          ? undefined
          : encodeParams(call.method, call.args ?? [], this.#idFor, this.#flavor);
      const meta = metaMember(call.metadata);
      const message =
        params === undefined
          ? { jsonrpc: "2.0", id: call.id, method: call.wireMethod, ...meta }
          : { jsonrpc: "2.0", id: call.id, method: call.wireMethod, params, ...meta };
      frame = this.#encoding.encode(message);
    } catch (error) {
      this.#rejectCall(call, unsendable(error));
      return;
    }
    call.sent = this.#send(frame);
    call.onWire = call.sent && this.#state === "open";
  }

  /** Protocol messages of the client itself: small and flat, they always encode. */
  #sendProtocol(message: object): boolean {
    return this.#send(this.#encoding.encode(message));
  }

  /** Sends a sequenced message (kept for replay in a session, even while detached). */
  #send(frame: Frame): boolean {
    if (this.#session !== undefined) {
      if (this.#state === "closed") return false;
      this.#session.send(frame);
      return true;
    }
    return this.#sendRaw(frame);
  }

  /** Writes a message on the current socket as it is (coalesced, when the server accepts it). */
  #sendRaw(frame: Frame): boolean {
    const socket = this.#socket;
    if (socket === undefined || socket.readyState !== OPEN) return false;
    if (this.#coalescer !== undefined) this.#coalescer.push(frame);
    else writeFrame(socket, frame);
    return true;
  }

  /** Answers a `$/callback` request; one that cannot be encoded goes out as -32603. */
  #answer(response: JsonRpcResponse): void {
    this.#send(encodeAnswers(this.#encoding, response).frame);
  }

  // ---- reading ---------------------------------------------------------------------

  #onFrame(frame: Frame): void {
    let value: unknown;
    let tooDeep: boolean;
    try {
      ({ value, tooDeep } = this.#encoding.decode(frame));
    } catch {
      return; // nothing sensible to answer a server that sent garbage
    }
    const bytes = typeof frame === "string" ? frame.length : frame.byteLength;
    if (!Array.isArray(value)) this.#onSequenced(value, bytes, tooDeep);
    else {
      const each = bytes / value.length;
      for (const message of value) this.#onSequenced(message, each, tooDeep);
    }
  }

  /** In a session, the seq check first: duplicates of a replay are dropped here. */
  #onSequenced(value: unknown, bytes: number, tooDeep: boolean): void {
    const session = this.#session;
    if (session === undefined) return this.#onMessage(value, tooDeep);
    const admission = session.admit(value, bytes);
    if (admission === "handle") this.#onMessage(value, tooDeep);
    else if (admission === "protocol-error" && this.#socket !== undefined) {
      closeForProtocolError(this.#socket, "session seq out of order");
    }
  }

  /** A message nested beyond the limit: a request is refused, an answer fails its call. */
  #onTooDeep(value: unknown): void {
    const parsed = parseMessage(value);
    if (parsed.kind === "request") this.#answer(nestedTooDeeplyResponse(parsed.message.id));
    const id =
      parsed.kind === "response"
        ? parsed.message.id
        : parsed.kind === "invalid" && parsed.response
          ? parsed.id
          : undefined;
    const call = typeof id === "number" ? this.#pending.get(id) : undefined;
    if (call !== undefined) {
      this.#rejectCall(
        call,
        new RpcError(
          ErrorCode.InvalidParams,
          `${call.wireMethod}: answer nested too deeply (more than ${this.#maxDepth} levels)`,
        ),
      );
    }
  }

  #onMessage(value: unknown, tooDeep: boolean): void {
    if (tooDeep) {
      this.#onTooDeep(value);
      return;
    }
    if (isCallbackNotification(value)) {
      // The hot path of a subscriber: a push, with nothing to answer.
      runCallback(this.#registry, value.params, undefined, this.#callbacks, value, this.#flavor);
      return;
    }
    const parsed = parseMessage(value);
    switch (parsed.kind) {
      case "response":
        this.#onResponse(parsed.message);
        return;
      case "request":
      case "notification": {
        const { method, params } = parsed.message;
        const id = parsed.kind === "request" ? parsed.message.id : undefined;
        if (method === "$/callback") {
          void runCallback(this.#registry, params, id, this.#callbacks, value, this.#flavor)?.then(
            (answer) => answer && this.#answer(answer),
          );
        } else if (method === "$/released") {
          const callback = (params as Record<string, unknown> | undefined)?.["callback"];
          const reason = (params as Record<string, unknown> | undefined)?.["reason"];
          const entry = typeof callback === "string" ? this.#registry.forget(callback) : undefined;
          if (entry) {
            this.#session?.forgetCallback(entry.object);
            this.#events.emit("released", entry.object, String(reason ?? "released"));
          }
        } else if (id !== undefined) {
          this.#sendProtocol({
            jsonrpc: "2.0",
            id,
            error: { code: ErrorCode.MethodNotFound, message: `Method not found: ${method}` },
          });
        }
        return;
      }
      case "invalid":
        if (parsed.response) {
          // A malformed answer fails the call it names at once, not after its timeout.
          const call = typeof parsed.id === "number" ? this.#pending.get(parsed.id) : undefined;
          if (call !== undefined) {
            this.#rejectCall(
              call,
              new RpcError(ErrorCode.InternalError, `${call.wireMethod}: malformed answer`),
            );
          }
        }
        return;
    }
  }

  #onResponse(response: JsonRpcResponse): void {
    const call = typeof response.id === "number" ? this.#pending.get(response.id) : undefined;
    if (call === undefined) return; // answer to a call that timed out or was cancelled
    if ("error" in response) {
      this.#rejectCall(call, fromWireError(response.error, call.method, this.#flavor));
      return;
    }
    let value: unknown;
    try {
      value =
        call.method === undefined
          ? response.result
          : decodeResult(call.method, response.result, this.#flavor);
    } catch (error) {
      this.#rejectCall(call, error);
      return;
    }
    this.#resolveCall(call, value);
  }

  // ---- sockets ---------------------------------------------------------------------

  /**
   * Opens a socket; resolves once it is open and, in a session, the `$/session` answer came
   * (nothing sequenced goes out before it). Rejects if it closes or times out before.
   */
  #openSocket(): Promise<void> {
    return new Promise((resolve, reject) => {
      const extra = this.#options.headers ? { headers: this.#options.headers } : undefined;
      let socket: SocketLike;
      try {
        // A resume says so, for the server's resume rate limit.
        const url = this.#session?.established ? withResumeHint(this.#url) : this.#url;
        socket = new this.#WebSocket(url, this.#offered, extra);
        // Browsers deliver binary messages as Blobs unless told otherwise.
        if (!isPingable(socket)) socket.binaryType = "arraybuffer";
      } catch (error) {
        reject(error);
        return;
      }
      const connectTimeoutMs = this.#options.connectTimeoutMs ?? 10_000;
      let opened = false;
      let failure = "";
      let markClosed!: () => void;
      const socketClosed = new Promise<void>((done) => (markClosed = done));
      const timer = setTimeout(() => {
        failure = `no answer within ${connectTimeoutMs} ms`;
        socket.close();
        (socket as { terminate?: () => void }).terminate?.();
      }, connectTimeoutMs);
      const ready = () => {
        clearTimeout(timer);
        opened = true;
        this.#adopt(socket, socketClosed);
        resolve();
      };
      /** Before the session answer, the only message expected is that answer. */
      let onFrame = (frame: Frame) => {
        if (!this.#takeSessionAnswer(socket, frame, socketClosed)) {
          failure = "no valid $/session answer";
          socket.close();
          return;
        }
        onFrame = (next) => this.#onFrame(next);
        clearTimeout(timer);
        opened = true;
        resolve();
        this.#reopened();
      };
      socket.addEventListener("error", (event) => {
        const message = (event as { message?: unknown }).message;
        if (typeof message === "string" && failure === "") failure = message;
      });
      socket.addEventListener("open", () => {
        // The server chose among what was offered; none (a plain server) means JSON.
        this.#encoding = this.#encodingNamed(socket.protocol || "svc.json");
        this.#offered = [this.#encoding.name];
        binary = this.#encoding.frameType === "binary";
        if (this.#session === undefined) {
          onFrame = (next) => this.#onFrame(next);
          ready();
          return;
        }
        socket.send(this.#session.handshake());
      });
      /** Whether frames are binary (MessagePack); set when the socket opens. */
      let binary = false;
      const wrongType = (isBinary: boolean) => {
        if (isBinary && !binary) return true; // a JSON client ignores binary frames
        if (!isBinary && binary) {
          closeForFrameType(socket, "text frames are not supported under svc.msgpack");
          return true;
        }
        return false;
      };
      if (isPingable(socket)) {
        // `ws` in Node: its own event skips building a MessageEvent per frame.
        socket.on("message", (data, isBinary) => {
          if (!wrongType(isBinary)) onFrame(isBinary ? data : data.toString());
        });
      } else {
        socket.addEventListener("message", (event) => {
          const { data } = event;
          const isBinary = typeof data !== "string";
          if (wrongType(isBinary)) return;
          if (typeof data === "string") onFrame(data);
          else if (data instanceof ArrayBuffer) onFrame(new Uint8Array(data));
          else if (ArrayBuffer.isView(data)) {
            onFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
          }
        });
      }
      socket.addEventListener("close", (event) => {
        clearTimeout(timer);
        markClosed();
        if (opened) this.#onSocketClose(event.code, event.reason);
        else
          reject(closedError(`could not connect to ${this.#url}${failure ? `: ${failure}` : ""}`));
      });
    });
  }

  /**
   * The first message on a session's socket: the `$/session` answer. Adopts the socket, and
   * resumes (replaying what the server lacks) or starts over; false if it is not an answer.
   */
  #takeSessionAnswer(socket: SocketLike, frame: Frame, closed: Promise<void>): boolean {
    let value: any;
    try {
      value = this.#encoding.decode(frame).value;
    } catch {
      return false;
    }
    if (value?.id === 0 && value.error !== undefined && !this.#session!.established) {
      // A server without sessions (an older one, or another JSON-RPC server): carry on
      // without, as a plain client.
      this.#session = undefined;
      this.#adopt(socket, closed);
      return true;
    }
    const answer = value?.id === 0 ? parseSessionAnswer(value.result) : undefined;
    if (answer === undefined) return false;
    this.#adopt(socket, closed);
    // Coalesced from here on when the server accepted it (the replay included); the
    // handshake and its answer went alone.
    let wire: Wire = { write: (frame) => writeFrame(socket, frame) };
    if (this.#session!.batch && answer.features.includes(batchFeature)) {
      // The coalescer corks for itself: the first frame of a turn leaves at once, the rest
      // of the turn in one write (session/coalescer.ts).
      const coalescer = new Coalescer(clientFrames, {
        emitFrame: (frame) => sendFrame(socket, frame),
        cork: () => corkSocket(socket),
        uncork: () => uncorkSocket(socket),
      });
      this.#coalescer = coalescer;
      wire = { write: (frame, bytes) => coalescer.push(frame, bytes) };
    }
    const outcome = this.#session!.answered(answer, wire);
    if (outcome.kind === "invalid") {
      this.#coalescer?.stop();
      return false;
    }
    this.#sessionOutcome = outcome;
    return true;
  }

  /** What the last `$/session` answer meant; read once the socket counts as open. */
  #sessionOutcome: ReturnType<ClientSession["answered"]> | undefined;

  #adopt(socket: SocketLike, closed: Promise<void>): void {
    this.#socket = socket;
    this.#socketClosed = closed;
    // A new socket coalesces only once its own handshake says so.
    this.#coalescer?.stop();
    this.#coalescer = undefined;
    const heartbeatMs = this.#options.heartbeatMs ?? 30_000;
    if (heartbeatMs > 0 && isPingable(socket)) {
      const heartbeat = new Heartbeat(
        heartbeatMs,
        () => socket.ping(),
        () => socket.terminate(),
      );
      socket.on("pong", () => heartbeat.alive());
      this.#heartbeat = heartbeat;
    }
  }

  #onSocketClose(code: number, reason: string): void {
    this.#heartbeat?.stop();
    this.#heartbeat = undefined;
    this.#socket = undefined;
    // Kept for replay: what waited for the end of the turn is sent again on resume.
    this.#coalescer?.stop();
    this.#coalescer = undefined;
    const reconnect = !this.#closing && this.#options.reconnect !== false;
    if (this.#session !== undefined && reconnect && code === SessionCloseCode.Ended) {
      // The server gave the session up (it is closing, say): lost now, not at the resume.
      this.#loseSession(reason || "unknown");
      this.#session.forget();
      this.#lostBeforeOpen = true;
    } else if (this.#session !== undefined && reconnect) {
      // Only detached: calls stay pending, callbacks keep their ids, nothing is released.
      this.#session.detach();
    } else {
      // The server dropped every callback of the old socket with it.
      for (const entry of this.#registry.clear()) {
        this.#events.emit("released", entry.object, "disconnected");
      }
      for (const call of [...this.#pending.values()]) {
        if (!call.sent) continue;
        if (reconnect && call.retry) call.sent = false;
        else this.#rejectCall(call, closedError());
      }
    }
    this.#events.emit("close", { code, reason, reconnecting: reconnect });
    if (reconnect) {
      this.#state = "reconnecting";
      this.#scheduleReconnect(0);
    } else {
      this.#finish();
    }
  }

  #scheduleReconnect(attempt: number): void {
    const options = resolveReconnect(this.#options.reconnect || {});
    if (attempt >= options.maxAttempts) {
      this.#finish();
      return;
    }
    const delayMs = backoffDelay(options, attempt);
    this.#events.emit("reconnecting", { attempt: attempt + 1, delayMs });
    this.#reconnectTimer = setTimeout(() => {
      this.#openSocket().then(
        () => this.#reopened(),
        () => {
          if (!this.#closing) this.#scheduleReconnect(attempt + 1);
          else this.#finish();
        },
      );
    }, delayMs);
  }

  /**
   * A new socket is open after a loss (and, in a session, its `$/session` answered: this runs
   * right then, before anything the server replays is read).
   */
  #reopened(): void {
    if (this.#state !== "reconnecting") return;
    if (this.#closing) {
      this.#socket?.close(SessionCloseCode.Normal, "client closing");
      return;
    }
    this.#state = "open";
    this.#events.emit("open");
    const outcome = this.#sessionOutcome;
    this.#sessionOutcome = undefined;
    if (outcome?.kind === "resumed") {
      this.#events.emit("resumed");
      return;
    }
    if (outcome?.kind === "lost") this.#loseSession(outcome.reason);
    const lost = outcome?.kind === "lost" || this.#lostBeforeOpen;
    this.#lostBeforeOpen = false;
    this.#events.emit("reconnected");
    for (const call of [...this.#pending.values()]) if (!call.sent) this.#transmit(call);
    if (lost) this.#resubscribe();
  }

  /** The server gave the session up: let go of what it knew, as it did, with its reason. */
  #loseSession(reason: string): void {
    const session = this.#session!;
    const live = session.takeLive((object) => this.#registry.idOf(object) !== undefined);
    this.#lostSubscriptions = live;
    for (const entry of this.#registry.clear()) {
      this.#events.emit("released", entry.object, reason);
    }
    for (const call of [...this.#pending.values()]) {
      // Calls that never left (made while detached) and `@idempotent` ones, which may run
      // twice, are sent again in the new session.
      if (call.retry || !call.onWire) call.sent = false;
      else this.#rejectCall(call, closedError("connection closed before the answer came", reason));
    }
    this.#events.emit("sessionLost", reason);
  }

  #lostSubscriptions: ReturnType<ClientSession["takeLive"]> = [];
  /** The server ended the session while attached: the next socket starts over. */
  #lostBeforeOpen = false;

  /** `@resubscribe` calls whose callbacks were live are made again, same arguments. */
  #resubscribe(): void {
    const subscriptions = this.#lostSubscriptions;
    this.#lostSubscriptions = [];
    for (const { service, method, args } of subscriptions) {
      // Its outcome is the application's to see through `released` and later calls; a
      // failure here must not become an unhandled rejection.
      this.call(service, method, args).then(undefined, () => undefined);
    }
  }

  /** Closed for good: nothing pending survives. */
  #finish(): void {
    this.#state = "closed";
    clearTimeout(this.#reconnectTimer);
    clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = undefined;
    this.#deadlineAt = Infinity;
    for (const call of [...this.#pending.values()]) this.#rejectCall(call, closedError());
    this.#registry.clear();
    this.#session?.stop();
  }
}

/**
 * Browsers: a page that goes away for good ends its session (close 1000) instead of leaving
 * it detached on the server for the whole window (a closing tab sends 1001).
 */
function endSessionOnPageHide(connection: WebSocketClient): void {
  const target = globalThis as {
    document?: unknown;
    addEventListener?: (type: string, listener: (event: { persisted?: boolean }) => void) => void;
  };
  if (target.document === undefined || typeof target.addEventListener !== "function") return;
  const ref = new WeakRef(connection);
  target.addEventListener("pagehide", (event) => {
    if (!event.persisted) void ref.deref()?.close();
  });
}

/** One frame on `socket` now (corked until the turn ends, in Node). */
function writeFrame(socket: SocketLike, frame: Frame): void {
  if (socket.readyState !== OPEN) return;
  corkUntilTurnEnds(socket);
  socket.send(frame);
}

function sendFrame(socket: SocketLike, frame: Frame): void {
  if (socket.readyState === OPEN) socket.send(frame);
}

function overBound(): RpcError {
  return new RpcError(
    ErrorCode.LimitExceeded,
    "too much sent and not yet acknowledged by the server (maxUnackedBytes)",
  );
}
