/**
 * One accepted WebSocket: reads JSON-RPC messages in order, dispatches calls concurrently,
 * answers them as they complete, and is the channel of its callback proxies (`$/callback`
 * out, answers in). Owns the connection's callbacks, in-flight calls, heartbeat and
 * `perConnection` instances, and tears all of them down on close.
 */
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
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
} from "../protocol/jsonrpc.js";
import { errorFromWire, errorToWire } from "./callback-codec.js";
import { CallbackState, type CallbackChannel } from "./callback-proxy.js";
import type { ConnectionInfo } from "./context.js";
import type { Dispatcher } from "./dispatcher.js";
import { Heartbeat } from "./heartbeat.js";
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

/** Map keys for request ids: `1` and `"1"` are different ids. */
function idKey(id: unknown): string {
  return typeof id === "number" ? `n:${id}` : `s:${String(id)}`;
}

function toRpcError(error: unknown): RpcError {
  return error instanceof RpcError
    ? error
    : new RpcError(ErrorCode.InternalError, "Internal error");
}

export class WsConnection implements CallbackChannel {
  readonly info: ConnectionInfo;
  /** Resolves once the socket closed and everything of the connection is released. */
  readonly closed: Promise<void>;

  readonly #socket: WebSocket;
  readonly #dispatcher: Dispatcher;
  readonly #options: ResolvedServerOptions;
  readonly #principal: unknown;
  readonly #scope = new InstanceScope();
  readonly #heartbeat: Heartbeat;
  /** Calls from the client still running, by request id. */
  readonly #inFlight = new Map<string, AbortController>();
  /** Calls running, notifications included (the in-flight limit counts both). */
  #running = 0;
  readonly #callbacks = new Map<string, CallbackState>();
  /** Our `$/callback` requests waiting for the client's answer. */
  readonly #pending = new Map<number, PendingCallbackRequest>();
  #nextRequestId = 1;
  /** Set once the connection stops taking frames (closing, closed or overloaded). */
  #closing = false;
  #forceTimer: ReturnType<typeof setTimeout> | undefined;
  #resolveClosed!: () => void;

  constructor(
    socket: WebSocket,
    dispatcher: Dispatcher,
    options: ResolvedServerOptions,
    principal: unknown,
    info: ConnectionInfo,
  ) {
    this.#socket = socket;
    this.#dispatcher = dispatcher;
    this.#options = options;
    this.#principal = principal;
    this.info = info;
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.#heartbeat = new Heartbeat(
      options.heartbeatMs,
      () => socket.ping(),
      () => {
        options.logger.info("websocket peer missed two pongs", { connection: info.id });
        socket.terminate();
      },
    );
    socket.on("pong", () => this.#heartbeat.alive());
    socket.on("message", (data, isBinary) => this.#onFrame(data, isBinary));
    socket.on("close", () => this.#onClose());
    // ws closes the socket itself after a protocol error (1002, 1009, ...); we only log.
    socket.on("error", (error) =>
      options.logger.info("websocket error", { connection: info.id, error: error.message }),
    );
  }

  /** Starts a close handshake; a peer that does not finish it in time is cut off. */
  close(code: number, reason: string, graceMs: number = this.#options.closeGraceMs): void {
    this.#closing = true;
    this.#socket.close(code, reason);
    if (this.#forceTimer === undefined) {
      this.#forceTimer = setTimeout(() => this.#socket.terminate(), graceMs);
    }
  }

  // ---- CallbackChannel -------------------------------------------------------------

  sendFrame(text: string): boolean {
    if (this.#closing || this.#socket.readyState !== this.#socket.OPEN) return false;
    this.#socket.send(text);
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
      const settle = () => {
        clearTimeout(timer);
        untrack();
        this.#pending.delete(id);
      };
      const timer = setTimeout(() => {
        settle();
        reject(new RpcError(ErrorCode.TimedOut, `callback ${method.name} timed out`));
      }, this.#options.callbackTimeoutMs);
      const untrack = track((error) => {
        settle();
        reject(error);
      });
      this.#pending.set(id, {
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
        this.#pending
          .get(id)
          ?.reject(
            new RpcError(ErrorCode.ConnectionClosed, "connection closed before the answer came"),
          );
      }
    });
  }

  forget(id: string): void {
    this.#callbacks.delete(id);
  }

  // ---- reading ---------------------------------------------------------------------

  #onFrame(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
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
    if (Array.isArray(value)) this.#onBatch(value);
    else void this.#onMessage(value).then((response) => response && this.#send(response));
  }

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
    void Promise.all(messages.map((message) => this.#onMessage(message))).then((responses) => {
      const answers = responses.filter((r): r is JsonRpcResponse => r !== undefined);
      if (answers.length > 0) this.#send(answers);
    });
  }

  /** Handles one message; resolves with its answer, if it gets one. */
  #onMessage(value: unknown): Promise<JsonRpcResponse | undefined> {
    const parsed = parseMessage(value);
    switch (parsed.kind) {
      case "invalid":
        return Promise.resolve(errorResponse(parsed.id, parsed.error));
      case "response":
        this.#onResponse(parsed.message);
        return Promise.resolve(undefined);
      case "notification":
        this.#onNotification(parsed.message);
        return Promise.resolve(undefined);
      case "request":
        return this.#onRequest(parsed.message);
    }
  }

  #onResponse(response: JsonRpcResponse): void {
    if (typeof response.id !== "number") return;
    const pending = this.#pending.get(response.id);
    if (pending === undefined) return; // late answer to a timed-out or released callback
    if ("error" in response) pending.reject(errorFromWire(pending.method, response.error));
    else pending.resolve(response.result);
  }

  #onNotification(message: JsonRpcNotification): void {
    const params = message.params as Record<string, unknown> | undefined;
    switch (message.method) {
      case "$/cancel":
        this.#inFlight.get(idKey(params?.["id"]))?.abort();
        return;
      case "$/release": {
        const id = params?.["callback"];
        if (typeof id === "string") this.#callbacks.get(id)?.release("released", false);
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
    void this.#invoke(method, message.params, new AbortController()).catch(() => undefined);
  }

  async #onRequest(message: JsonRpcRequest): Promise<JsonRpcResponse> {
    const { id } = message;
    if (message.method === "$/contract") {
      return resultResponse(id, { services: this.#dispatcher.contract() });
    }
    if (message.method === "$/cancel" || message.method === "$/release") {
      this.#onNotification(message);
      return resultResponse(id, null);
    }
    const method = message.method.startsWith("$/")
      ? undefined
      : this.#dispatcher.lookup(message.method);
    if (method === undefined) {
      return errorResponse(id, {
        code: ErrorCode.MethodNotFound,
        message: `Method not found: ${message.method}`,
      });
    }
    if (this.#running >= this.#options.limits.maxInFlightPerConnection) {
      return errorResponse(id, {
        code: ErrorCode.LimitExceeded,
        message: `too many calls in flight (limit ${this.#options.limits.maxInFlightPerConnection})`,
      });
    }
    const key = idKey(id);
    if (this.#inFlight.has(key)) {
      return errorResponse(id, {
        code: ErrorCode.InvalidRequest,
        message: `Invalid request: id ${JSON.stringify(id)} is already in use by a running call`,
      });
    }
    const controller = new AbortController();
    this.#inFlight.set(key, controller);
    try {
      return resultResponse(id, await this.#invoke(method, message.params, controller));
    } catch (error) {
      return errorResponse(id, errorToWire(toRpcError(error)));
    } finally {
      this.#inFlight.delete(key);
    }
  }

  async #invoke(
    method: MethodDescriptor,
    params: unknown,
    controller: AbortController,
  ): Promise<JsonValue | undefined> {
    this.#running++;
    try {
      return await this.#dispatcher.invoke({
        method,
        params,
        transport: "ws",
        principal: this.#principal,
        connection: this.info,
        scope: this.#scope,
        signal: controller.signal,
        resolveCallback: (id, callback, pointer) => this.#resolveCallback(id, callback, pointer),
      });
    } finally {
      this.#running--;
    }
  }

  /** A callback id of the client → the connection's one proxy for it. */
  #resolveCallback(id: unknown, descriptor: CallbackDescriptor, pointer: string): unknown {
    if (typeof id !== "string" || !callbackIdPattern.test(id)) {
      throw new RpcError(ErrorCode.InvalidParams, `${pointer}: expected a callback id`, {
        errors: [{ pointer, detail: "expected a callback id" }],
      });
    }
    const existing = this.#callbacks.get(id);
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
    if (this.#callbacks.size >= limit) {
      throw new RpcError(ErrorCode.LimitExceeded, `too many callbacks (limit ${limit})`);
    }
    const state = new CallbackState(id, descriptor, this);
    this.#callbacks.set(id, state);
    return state.proxy;
  }

  // ---- writing and teardown --------------------------------------------------------

  #send(message: JsonRpcResponse | JsonRpcResponse[]): void {
    this.sendFrame(JSON.stringify(message));
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
    for (const pending of [...this.#pending.values()]) pending.reject(gone);
    for (const state of [...this.#callbacks.values()]) {
      state.release("disconnected", false, ErrorCode.ConnectionClosed);
    }
  }

  #onClose(): void {
    this.#closing = true;
    this.#heartbeat.stop();
    clearTimeout(this.#forceTimer);
    for (const controller of this.#inFlight.values()) controller.abort();
    this.#releaseAll();
    this.#scope.dispose();
    this.#resolveClosed();
  }
}
