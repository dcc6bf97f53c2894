/**
 * One accepted WebSocket: reads JSON-RPC messages in order, dispatches calls concurrently,
 * answers them as they complete, and is the channel of its callback proxies (`$/callback`
 * out, answers in). Owns the connection's callbacks, in-flight calls, heartbeat and
 * `perConnection` instances, and tears all of them down on close.
 */
import type { Socket } from "node:net";
import type { WebSocket } from "ws";
import type { JsonValue } from "../codec/schema.js";
import type { CallbackDescriptor, MethodDescriptor } from "../descriptors.js";
import { ErrorCode } from "../protocol/codes.js";
import { RpcError } from "../protocol/errors.js";
import { NestedTooDeeply, parseJsonText, stringifyJson } from "../protocol/json-text.js";
import {
  emptyBatchResponse,
  encodeResponses,
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
import { asClientError, errorFromWire, errorToWire } from "./callback-codec.js";
import { CallbackState, type CallbackChannel, type CallbackOwner } from "./callback-proxy.js";
import { ConnectionLog } from "./connection-log.js";
import type { ConnectionInfo } from "./context.js";
import type { Dispatcher, Invocation } from "./dispatcher.js";
import type { HeartbeatMember, HeartbeatSweep } from "./heartbeat.js";
import type { ResolvedServerOptions } from "./options.js";
import { ProvisionalCallbacks } from "./provisional-callbacks.js";
import { InstanceScope } from "./registry.js";

/** WebSocket close codes of RFC 6455 used here. */
export const CloseCode = {
  GoingAway: 1001,
  UnsupportedData: 1003,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
} as const;

const callbackIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

interface PendingCallbackRequest {
  readonly method: MethodDescriptor;
  readonly resolve: (result: JsonValue) => void;
  readonly reject: (error: RpcError) => void;
}

/** What the endpoint gives each connection. */
export interface WsConnectionHooks {
  /** The server-wide heartbeat; without one the connection is not pinged. */
  readonly heartbeat?: HeartbeatSweep;
  /** Called once, when the connection has closed and released everything. */
  readonly onClosed?: (connection: WsConnection) => void;
  /** The id of this server in its cluster (part of every CallbackRef). */
  readonly nodeId?: string;
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
  const detail = error instanceof NestedTooDeeply ? error.message : "not JSON";
  return new RpcError(ErrorCode.InternalError, `callback ${method.name}: arguments ${detail}`);
}

function toRpcError(error: unknown): RpcError {
  return error instanceof RpcError
    ? error
    : new RpcError(ErrorCode.InternalError, "Internal error");
}

const connectionOf = Symbol("svcgen.wsConnection");

type OwnedSocket = WebSocket & { [connectionOf]?: WsConnection };

// Socket listeners shared by every connection (`this` is the socket): no closures per socket.
function onSocketMessage(
  this: OwnedSocket,
  data: Buffer | ArrayBuffer | Buffer[],
  isBinary: boolean,
) {
  this[connectionOf]?.receive(data, isBinary);
}
function onSocketPong(this: OwnedSocket): void {
  const connection = this[connectionOf];
  if (connection !== undefined) connection.unanswered = 0;
}
function onSocketClose(this: OwnedSocket): void {
  this[connectionOf]?.socketClosed();
}
function onSocketError(this: OwnedSocket, error: Error): void {
  // ws closes the socket itself after a protocol error (1002, 1009, ...); we only log.
  this[connectionOf]?.socketError(error);
}

/**
 * One call from the client, and its Invocation. The AbortSignal is made only when something
 * reads it (most calls finish without anyone looking); a `$/cancel` before that only marks
 * the call aborted.
 */
class WsCall implements Invocation {
  readonly #connection: WsConnection;
  #controller: AbortController | undefined;
  #aborted = false;
  #resolveCallback:
    ((id: string, callback: CallbackDescriptor, pointer: string) => unknown) | undefined;
  /** Callbacks this call was the first to name; released if it fails. */
  introduced: CallbackState[] | undefined;

  constructor(
    connection: WsConnection,
    readonly method: MethodDescriptor,
    readonly params: unknown,
    /** The request id; undefined for a notification. */
    readonly id: JsonRpcId | undefined,
  ) {
    this.#connection = connection;
  }

  get transport(): "ws" {
    return "ws";
  }
  get principal(): unknown {
    return this.#connection.principal;
  }
  get connection(): ConnectionInfo {
    return this.#connection.info;
  }
  get scope(): InstanceScope {
    return this.#connection.scope;
  }
  get resolveCallback(): (id: string, callback: CallbackDescriptor, pointer: string) => unknown {
    // Only a method taking a callback needs to know which call resolved it.
    if (!this.method.takesCallback) return this.#connection.resolveCallback;
    return (this.#resolveCallback ??= (id, callback, pointer) =>
      this.#connection.proxyFor(id, callback, pointer, this));
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

export class WsConnection implements CallbackChannel, HeartbeatMember {
  readonly info: ConnectionInfo;
  readonly principal: unknown;
  /** Where the connection's warnings go, each repeated one rate-limited. */
  readonly log: ConnectionLog;
  /** Pings of the heartbeat since the last pong. */
  unanswered = 0;

  readonly #socket: OwnedSocket;
  readonly #dispatcher: Dispatcher;
  readonly #options: ResolvedServerOptions;
  readonly #hooks: WsConnectionHooks;
  /** Calls from the client still running, by request id (`1` and `"1"` are different keys). */
  #inFlight: Map<JsonRpcId, WsCall> | undefined;
  /** Calls running, notifications included (the in-flight limit counts both). */
  #running = 0;
  #callbacks: Map<string, CallbackState> | undefined;
  /** Callbacks introduced by calls still running (see provisional-callbacks.ts). */
  #provisional: ProvisionalCallbacks<WsCall> | undefined;
  /** Our `$/callback` requests waiting for the client's answer. */
  #pending: Map<number, PendingCallbackRequest> | undefined;
  /** Holds `perConnection` instances; made on first use. */
  #scope: InstanceScope | undefined;
  #resolveCallback:
    ((id: string, callback: CallbackDescriptor, pointer: string) => unknown) | undefined;
  #nextRequestId = 1;
  /** Set once the connection stops taking frames (closing, closed or overloaded). */
  #closing = false;
  #closed = false;
  #closedPromise: Promise<void> | undefined;
  #resolveClosed: (() => void) | undefined;
  #forceTimer: ReturnType<typeof setTimeout> | undefined;
  /** The TCP socket is corked until the end of this turn of the event loop. */
  #corked = false;
  /** Waiters of `idle()`: run when the last running call finished. */
  #onIdle: (() => void) | undefined;

  constructor(
    socket: WebSocket,
    dispatcher: Dispatcher,
    options: ResolvedServerOptions,
    principal: unknown,
    info: ConnectionInfo,
    hooks: WsConnectionHooks = {},
  ) {
    this.#socket = socket as OwnedSocket;
    this.#dispatcher = dispatcher;
    this.#options = options;
    this.principal = principal;
    this.info = info;
    this.log = new ConnectionLog(options.logger, info.id);
    this.#hooks = hooks;
    this.#socket[connectionOf] = this;
    socket.on("pong", onSocketPong);
    socket.on("message", onSocketMessage);
    socket.on("close", onSocketClose);
    socket.on("error", onSocketError);
    hooks.heartbeat?.add(this);
  }

  /** Resolves once the socket closed and everything of the connection is released. */
  get closed(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return (this.#closedPromise ??= new Promise((resolve) => (this.#resolveClosed = resolve)));
  }

  get scope(): InstanceScope {
    return (this.#scope ??= new InstanceScope());
  }

  /** Callback id of the client → the connection's one proxy for it (made on first use). */
  get resolveCallback(): (id: string, callback: CallbackDescriptor, pointer: string) => unknown {
    return (this.#resolveCallback ??= (id, callback, pointer) =>
      this.proxyFor(id, callback, pointer, undefined));
  }

  /** The nesting limit of every value this connection reads or writes. */
  get maxDepth(): number {
    return this.#options.limits.maxDepth;
  }

  /** Resolves once no call of the client is running (a graceful server close waits for it). */
  idle(): Promise<void> {
    if (this.#running === 0 || this.#closed) return Promise.resolve();
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
    this.#closing = true;
    if (this.#inFlight !== undefined) for (const call of this.#inFlight.values()) call.abort();
  }

  #notifyIdle(): void {
    const waiters = this.#onIdle;
    this.#onIdle = undefined;
    waiters?.();
  }

  /** Starts a close handshake; a peer that does not finish it in time is cut off. */
  close(code: number, reason: string, graceMs: number = this.#options.closeGraceMs): void {
    this.#closing = true;
    this.#socket.close(code, reason);
    if (this.#forceTimer === undefined) {
      this.#forceTimer = setTimeout(() => this.#socket.terminate(), graceMs);
    }
  }

  // ---- HeartbeatMember -------------------------------------------------------------

  ping(): void {
    this.#socket.ping();
  }

  onDead(): void {
    this.log.info("websocket peer missed two pongs");
    this.#socket.terminate();
  }

  // ---- CallbackChannel -------------------------------------------------------------

  #owner: CallbackOwner | undefined;

  get owner(): CallbackOwner {
    return (this.#owner ??= { node: this.#hooks.nodeId ?? "", connection: this.info.id });
  }

  /** The live callback the client registered under `id`, if any (calls from other nodes). */
  callback(id: string): CallbackState | undefined {
    return this.#callbacks?.get(id);
  }

  sendFrame(frame: string | Buffer): boolean {
    if (this.#closing || this.#socket.readyState !== this.#socket.OPEN) return false;
    if (!this.#corked) {
      // The first frame of a turn: what is still unsent now is what the peer failed to drain.
      if (this.#overloaded()) return false;
      this.#cork();
    }
    if (typeof frame === "string") this.#socket.send(frame);
    else this.#socket.send(frame, { binary: false });
    return true;
  }

  request(
    method: MethodDescriptor,
    params: JsonValue,
    track: (reject: (error: RpcError) => void) => () => void,
  ): Promise<JsonValue> {
    return new Promise<JsonValue>((resolve, reject) => {
      const id = this.#nextRequestId++;
      const pendingRequests = (this.#pending ??= new Map<number, PendingCallbackRequest>());
      const settle = () => {
        clearTimeout(timer);
        untrack();
        pendingRequests.delete(id);
      };
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
      let frame: string;
      try {
        frame = stringifyJson({ jsonrpc: "2.0", id, method: "$/callback", params }, this.maxDepth);
      } catch (error) {
        pendingRequests.get(id)?.reject(unencodable(method, error));
        return;
      }
      if (!this.sendFrame(frame)) {
        pendingRequests
          .get(id)
          ?.reject(
            new RpcError(ErrorCode.ConnectionClosed, "connection closed before the answer came"),
          );
      }
    });
  }

  forget(id: string): void {
    this.#callbacks?.delete(id);
  }

  // ---- socket events (through the shared listeners above) --------------------------

  /** @internal One frame from the client. */
  receive(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    if (this.#closing) return;
    if (isBinary) {
      this.close(CloseCode.UnsupportedData, "binary frames are not supported");
      return;
    }
    const text = Buffer.isBuffer(data)
      ? data.toString("utf8")
      : Array.isArray(data)
        ? Buffer.concat(data).toString("utf8")
        : Buffer.from(data).toString("utf8");
    let value: unknown;
    let tooDeep: boolean;
    try {
      ({ value, tooDeep } = parseJsonText(text, this.maxDepth));
    } catch {
      this.#send(parseErrorResponse());
      return;
    }
    if (Array.isArray(value)) {
      this.#onBatch(value, tooDeep);
      return;
    }
    const answer = this.#onMessage(value, true, tooDeep);
    if (answer !== undefined) void answer.then((response) => response && this.#send(response));
  }

  /** @internal */
  socketError(error: Error): void {
    this.log.info("websocket error", { error: error.message });
  }

  /** @internal */
  socketClosed(): void {
    this.#closing = true;
    this.#closed = true;
    this.#hooks.heartbeat?.delete(this);
    clearTimeout(this.#forceTimer);
    if (this.#inFlight !== undefined) for (const call of this.#inFlight.values()) call.abort();
    this.#releaseAll();
    this.#notifyIdle();
    this.log.flush();
    // Made now if never before, so that an implementation that asks later sees it disposed.
    this.scope.dispose();
    this.#resolveClosed?.();
    this.#hooks.onClosed?.(this);
  }

  // ---- reading ---------------------------------------------------------------------

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
        if (answers.length > 0) this.#send(answers);
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
        this.#onNotification(parsed.message);
        return reply ? undefined : Promise.resolve(undefined);
      case "request":
        return this.#onRequest(parsed.message, reply);
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
    if ("error" in response) pending.reject(errorFromWire(pending.method, response.error));
    else pending.resolve(response.result);
  }

  #onNotification(message: JsonRpcNotification): void {
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
    void this.#run(new WsCall(this, method, message.params, undefined), false);
  }

  #onRequest(
    message: JsonRpcRequest,
    reply: boolean,
  ): Promise<JsonRpcResponse | undefined> | undefined {
    const { id } = message;
    if (message.method === "$/contract") {
      return Promise.resolve(resultResponse(id, { services: this.#dispatcher.contract() }));
    }
    if (message.method === "$/cancel" || message.method === "$/release") {
      this.#onNotification(message);
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
    const inFlight = (this.#inFlight ??= new Map<JsonRpcId, WsCall>());
    if (inFlight.has(id)) {
      return Promise.resolve(
        errorResponse(id, {
          code: ErrorCode.InvalidRequest,
          message: `Invalid request: id ${JSON.stringify(id)} is already in use by a running call`,
        }),
      );
    }
    const call = new WsCall(this, method, message.params, id);
    inFlight.set(id, call);
    const answer = this.#run(call, reply);
    return reply ? undefined : answer;
  }

  /** Runs a call; sends its answer (`reply`) or resolves with it. Notifications get none. */
  async #run(call: WsCall, reply: boolean): Promise<JsonRpcResponse | undefined> {
    this.#running++;
    let response: JsonRpcResponse | undefined;
    let failed = false;
    try {
      const result = await this.#dispatcher.invoke(call);
      if (call.id !== undefined) response = resultResponse(call.id, result);
    } catch (error) {
      failed = true;
      if (call.id !== undefined) response = errorResponse(call.id, errorToWire(toRpcError(error)));
    } finally {
      this.#running--;
      if (call.id !== undefined && this.#inFlight !== undefined) {
        this.#inFlight.delete(call.id);
        // An idle connection holds no table (thousands of idle connections add up).
        if (this.#inFlight.size === 0) this.#inFlight = undefined;
      }
      if (this.#running === 0) this.#notifyIdle();
    }
    // Released before the answer goes out: the client forgets them before its call settles.
    if (call.introduced !== undefined) this.#provisional?.settle(call, call.introduced, failed);
    if (!reply) return response;
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
    const callbacks = (this.#callbacks ??= new Map<string, CallbackState>());
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
    const { text, unencodable } = encodeResponses(message, this.maxDepth);
    if (unencodable > 0) {
      this.log.error("websocket answer could not be encoded: sent -32603 instead", {
        answers: unencodable,
        maxDepth: this.maxDepth,
      });
    }
    this.sendFrame(text);
  }

  /**
   * Frames written in one turn of the event loop (the answers of a pipelined burst, the
   * pushes of a loop) leave in one write: cork now, uncork once the turn's work is done.
   */
  #cork(): void {
    const raw = (this.#socket as unknown as { _socket?: Socket | null })._socket;
    if (raw == null || raw.destroyed) return;
    raw.cork();
    this.#corked = true;
    process.nextTick(WsConnection.#uncork, this, raw);
  }

  static #uncork(connection: WsConnection, raw: Socket): void {
    connection.#corked = false;
    raw.uncork();
  }

  /**
   * A peer that does not read must not make the server hold its data without bound. Asked
   * before the first frame of a turn: the frames queued in one (corked) turn are not held
   * against a peer that had no chance to read them yet; what it left unsent since is.
   */
  #overloaded(): boolean {
    const limit = this.#options.limits.maxBufferedBytes;
    if (this.#socket.bufferedAmount <= limit) return false;
    this.log.warn("websocket closed: slow consumer", {
      bufferedBytes: this.#socket.bufferedAmount,
    });
    // The close frame queues behind the unsent data; give it a moment, then cut off.
    this.close(
      CloseCode.PolicyViolation,
      "slow consumer",
      Math.min(this.#options.closeGraceMs, 2000),
    );
    this.#releaseAll();
    return true;
  }

  #releaseAll(): void {
    const gone = new RpcError(
      ErrorCode.ConnectionClosed,
      "connection closed before the answer came",
    );
    if (this.#pending !== undefined) {
      for (const pending of [...this.#pending.values()]) pending.reject(gone);
    }
    if (this.#callbacks !== undefined) {
      for (const state of [...this.#callbacks.values()]) {
        state.release("disconnected", false, ErrorCode.ConnectionClosed);
      }
    }
  }
}
