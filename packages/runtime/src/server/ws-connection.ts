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
import {
  emptyBatchResponse,
  errorResponse,
  parseErrorResponse,
  parseMessage,
  resultResponse,
  type JsonRpcId,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
} from "../protocol/jsonrpc.js";
import { errorFromWire, errorToWire } from "./callback-codec.js";
import { CallbackState, type CallbackChannel, type CallbackOwner } from "./callback-proxy.js";
import type { ConnectionInfo } from "./context.js";
import type { Dispatcher, Invocation } from "./dispatcher.js";
import type { HeartbeatMember, HeartbeatSweep } from "./heartbeat.js";
import type { ResolvedServerOptions } from "./options.js";
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
    return this.#connection.resolveCallback;
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
      this.#proxyFor(id, callback, pointer));
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

  /** Aborts every request still running: each answers -32002 at once. */
  abortCalls(): void {
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
    this.#options.logger.info("websocket peer missed two pongs", { connection: this.info.id });
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
    if (!this.#corked) this.#cork();
    if (typeof frame === "string") this.#socket.send(frame);
    else this.#socket.send(frame, { binary: false });
    this.#checkBackpressure();
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
      const frame = JSON.stringify({ jsonrpc: "2.0", id, method: "$/callback", params });
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
    try {
      value = JSON.parse(text);
    } catch {
      this.#send(parseErrorResponse());
      return;
    }
    if (Array.isArray(value)) {
      this.#onBatch(value);
      return;
    }
    const answer = this.#onMessage(value, true);
    if (answer !== undefined) void answer.then((response) => response && this.#send(response));
  }

  /** @internal */
  socketError(error: Error): void {
    this.#options.logger.info("websocket error", {
      connection: this.info.id,
      error: error.message,
    });
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
    // Made now if never before, so that an implementation that asks later sees it disposed.
    this.scope.dispose();
    this.#resolveClosed?.();
    this.#hooks.onClosed?.(this);
  }

  // ---- reading ---------------------------------------------------------------------

  #onBatch(messages: unknown[]): void {
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
    void Promise.all(messages.map((message) => this.#onMessage(message, false))).then(
      (responses) => {
        const answers = responses.filter((r): r is JsonRpcResponse => r !== undefined);
        if (answers.length > 0) this.#send(answers);
      },
    );
  }

  /**
   * Handles one message. With `reply`, a call's answer is sent by the call itself and the
   * result is undefined or an immediate answer; without (batches), it resolves with the answer.
   */
  #onMessage(value: unknown, reply: boolean): Promise<JsonRpcResponse | undefined> | undefined {
    const parsed = parseMessage(value);
    switch (parsed.kind) {
      case "invalid":
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
      this.#options.logger.warn("notification dropped: too many calls in flight", {
        connection: this.info.id,
        method: message.method,
      });
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
    try {
      const result = await this.#dispatcher.invoke(call);
      if (call.id !== undefined) response = resultResponse(call.id, result);
    } catch (error) {
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
    if (!reply) return response;
    if (response !== undefined) this.#send(response);
    return undefined;
  }

  #proxyFor(id: unknown, descriptor: CallbackDescriptor, pointer: string): unknown {
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
      return existing.proxy;
    }
    const limit = this.#options.limits.maxCallbacksPerConnection;
    if (callbacks.size >= limit) {
      throw new RpcError(ErrorCode.LimitExceeded, `too many callbacks (limit ${limit})`);
    }
    const state = new CallbackState(id, descriptor, this);
    callbacks.set(id, state);
    return state.proxy;
  }

  // ---- writing and teardown --------------------------------------------------------

  #send(message: JsonRpcResponse | JsonRpcResponse[]): void {
    this.sendFrame(JSON.stringify(message));
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

  /** A peer that does not read must not make the server hold its data without bound. */
  #checkBackpressure(): void {
    const limit = this.#options.limits.maxBufferedBytes;
    if (this.#socket.bufferedAmount <= limit) return;
    this.#options.logger.warn("websocket closed: slow consumer", {
      connection: this.info.id,
      bufferedBytes: this.#socket.bufferedAmount,
    });
    // The close frame queues behind the unsent data; give it a moment, then cut off.
    this.close(
      CloseCode.PolicyViolation,
      "slow consumer",
      Math.min(this.#options.closeGraceMs, 2000),
    );
    this.#releaseAll();
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
