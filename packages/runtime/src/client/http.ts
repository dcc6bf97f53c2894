/**
 * `connectHttp`: a Connection that makes each call a REST request (`POST
 * {base}/{Service}/{method}` with named parameters). In Node it sends through an undici
 * keep-alive Pool; elsewhere (browsers) through the global `fetch`. undici is loaded by a dynamic import
 * whose specifier bundlers cannot follow, so a browser bundle never contains it.
 */
import { decodeResult, encodeParams } from "../codec/params.js";
import { EncodeError } from "../codec/errors.js";
import type { MethodDescriptor, ServiceDescriptor } from "../descriptors.js";
import { ErrorCode } from "../protocol/codes.js";
import { RpcError, fromWireError } from "../protocol/errors.js";
import {
  NestedTooDeeply,
  defaultMaxDepth,
  parseJsonText,
  stringifyJson,
  type ParsedJson,
} from "../protocol/json-text.js";
import { wireErrorFromProblem } from "../protocol/problem.js";
import {
  callState,
  composeInterceptors,
  stateOf,
  type CallNext,
  type CallWithState,
  type Interceptor,
} from "../interceptors/interceptor.js";
import { methodOf, type CallOptions, type Connection } from "./connection.js";

type Fetch = (input: string, init: RequestInit & { dispatcher?: unknown }) => Promise<Response>;

export interface HttpConnectionOptions {
  /** Sent with every request (e.g. `authorization`); a function is asked before each call. */
  readonly headers?:
    Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
  /** Default time limit of a call (rejects with -32003); 0 means none. Default 30 000. */
  readonly timeoutMs?: number;
  /** A fetch to use instead of undici (Node) or the global fetch (elsewhere). */
  readonly fetch?: Fetch;
  /**
   * Deepest nesting of a request or answer body, as the server's `limits.maxDepth`. A deeper
   * answer fails its call with -32602; deeper arguments are refused with -32602. Default 100.
   */
  readonly maxDepth?: number;
  /**
   * Around every call; the first of the list outermost. What they put in `call.metadata`
   * goes out as request headers (see docs/interceptors.md).
   */
  readonly interceptors?: readonly Interceptor[];
}

/** A finished HTTP exchange: the status and the body as text ("" when there is none). */
interface Answer {
  readonly status: number;
  readonly text: string;
}

/** What one call asks of a transport. */
interface Exchange {
  readonly url: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly signal: AbortSignal | undefined;
  /** 0: no time limit. */
  readonly timeoutMs: number;
  readonly wireName: string;
}

/** Sends a request; rejects only with RpcError (-32002 cancelled, -32003 timed out, -32007). */
interface Transport {
  send(exchange: Exchange): Promise<Answer>;
  close(): Promise<void>;
}

const isNode = typeof process !== "undefined" && typeof process.versions?.node === "string";
/** A variable, not a literal: bundlers leave `import(undiciModule)` alone. */
const undiciModule = "undici";

/** The subset of undici used here: a Pool and its low-level `dispatch`. */
interface UndiciPool {
  dispatch(options: object, handler: object): boolean;
  close(): Promise<void>;
}

async function openTransport(baseUrl: string, options: HttpConnectionOptions): Promise<Transport> {
  if (options.fetch) return new FetchTransport(options.fetch, baseUrl);
  if (isNode) {
    const undici = (await import(/* webpackIgnore: true */ undiciModule)) as {
      Pool: new (origin: string, options: object) => UndiciPool;
    };
    // One keep-alive pool for the base URL's origin; `dispatch` skips the WHATWG fetch layer
    // (Request/Response objects, web streams) that costs more than a loopback round trip.
    const origin = new URL(baseUrl).origin;
    const pool = new undici.Pool(origin, {
      keepAliveTimeout: 10_000,
      connections: 64,
      pipelining: 1,
    });
    return new UndiciTransport(pool, baseUrl);
  }
  return new FetchTransport((input, init) => globalThis.fetch(input, init), baseUrl);
}

function cancelled(): RpcError {
  return new RpcError(ErrorCode.Cancelled, "Cancelled");
}

function timedOut(exchange: Exchange): RpcError {
  const message = `${exchange.wireName} timed out after ${exchange.timeoutMs} ms`;
  return new RpcError(ErrorCode.TimedOut, message);
}

function requestFailed(base: string, error: unknown): RpcError {
  const reason = error instanceof Error ? (describeCause(error) ?? error.message) : String(error);
  return new RpcError(ErrorCode.ConnectionClosed, `Request to ${base} failed: ${reason}`);
}

/** Browsers, and any fetch given in the options. */
class FetchTransport implements Transport {
  constructor(
    readonly fetch: Fetch,
    readonly base: string,
  ) {}

  async send(exchange: Exchange): Promise<Answer> {
    const { signal, timeoutMs } = exchange;
    const abort = new AbortController();
    let expired = false;
    const timer =
      timeoutMs > 0 ? setTimeout(() => ((expired = true), abort.abort()), timeoutMs) : undefined;
    const onCallerAbort = () => abort.abort();
    signal?.addEventListener("abort", onCallerAbort, { once: true });
    try {
      const response = await this.fetch(exchange.url, {
        method: "POST",
        headers: exchange.headers,
        body: exchange.body,
        signal: abort.signal,
      });
      return { status: response.status, text: await response.text() };
    } catch (error) {
      if (expired) throw timedOut(exchange);
      if (abort.signal.aborted) throw cancelled();
      throw requestFailed(this.base, error);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onCallerAbort);
    }
  }

  async close(): Promise<void> {}
}

/**
 * Node: requests through an undici Pool's `dispatch`, each call its own handler object.
 * Time limits share one timer per connection (see Deadlines) instead of a timer per call.
 */
class UndiciTransport implements Transport {
  readonly #pool: UndiciPool;
  readonly #deadlines = new Deadlines();
  readonly base: string;

  constructor(pool: UndiciPool, base: string) {
    this.#pool = pool;
    this.base = base;
  }

  send(exchange: Exchange): Promise<Answer> {
    const call = new UndiciCall(this, exchange);
    if (exchange.timeoutMs > 0) this.#deadlines.add(call, exchange.timeoutMs);
    this.#pool.dispatch(
      { path: exchange.path, method: "POST", headers: exchange.headers, body: exchange.body },
      call,
    );
    return call.promise;
  }

  /** Called by a call once it is settled. */
  done(call: UndiciCall): void {
    if (call.deadline !== 0) this.#deadlines.delete(call);
  }

  close(): Promise<void> {
    return this.#pool.close();
  }
}

/**
 * One request in flight, and its undici handler: settles exactly once, with the answer or
 * with the first of failure, caller abort and deadline (then the request is torn down).
 */
class UndiciCall {
  readonly promise: Promise<Answer>;
  /** When the call times out (a `performance.now()` time); 0 for never. */
  deadline = 0;
  #resolve!: (answer: Answer) => void;
  #reject!: (error: RpcError) => void;
  #settled = false;
  #abortRequest: ((reason: Error) => void) | undefined;
  #status = 0;
  #chunks: Buffer[] = [];
  readonly #transport: UndiciTransport;
  readonly #exchange: Exchange;
  readonly #onCallerAbort: (() => void) | undefined;

  constructor(transport: UndiciTransport, exchange: Exchange) {
    this.#transport = transport;
    this.#exchange = exchange;
    this.promise = new Promise<Answer>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    const signal = exchange.signal;
    if (signal !== undefined) {
      this.#onCallerAbort = () => this.fail(cancelled());
      signal.addEventListener("abort", this.#onCallerAbort, { once: true });
    }
  }

  /** Settles with `error` and tears the request down (the server sees the disconnect). */
  fail(error: RpcError): void {
    if (this.#settled) return;
    this.#finish();
    this.#reject(error);
    this.#abortRequest?.(error);
  }

  timeOut(): void {
    this.fail(timedOut(this.#exchange));
  }

  #finish(): void {
    this.#settled = true;
    if (this.#onCallerAbort !== undefined) {
      this.#exchange.signal?.removeEventListener("abort", this.#onCallerAbort);
    }
    this.#transport.done(this);
  }

  // undici's dispatch handler.

  onConnect(abort: (reason: Error) => void): void {
    // Settled while queued for a socket: never send it.
    if (this.#settled) abort(cancelled());
    else this.#abortRequest = abort;
  }

  onHeaders(status: number): boolean {
    this.#status = status;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.#chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    if (this.#settled) return;
    this.#finish();
    const chunks = this.#chunks;
    const text =
      chunks.length === 0
        ? ""
        : (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString("utf8");
    this.#resolve({ status: this.#status, text });
  }

  onError(error: Error): void {
    if (this.#settled) return;
    this.#finish();
    this.#reject(requestFailed(this.#transport.base, error));
  }
}

/**
 * The time limits of a connection's calls with one timer: it is armed for the earliest
 * deadline and, when it fires, times out what is due and re-arms for the next one. A call
 * that finishes first just leaves the set, so a call costs no timer of its own. The timer
 * never keeps the process alive once no call is pending.
 */
class Deadlines {
  readonly #calls = new Set<UndiciCall>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** When the armed timer fires; Infinity when none is armed. */
  #firesAt = Infinity;

  add(call: UndiciCall, timeoutMs: number): void {
    call.deadline = performance.now() + timeoutMs;
    this.#calls.add(call);
    if (call.deadline < this.#firesAt) this.#arm(call.deadline);
    else if (this.#calls.size === 1) this.#timer?.ref();
  }

  delete(call: UndiciCall): void {
    this.#calls.delete(call);
    if (this.#calls.size === 0) this.#timer?.unref();
  }

  #arm(at: number): void {
    clearTimeout(this.#timer);
    this.#firesAt = at;
    this.#timer = setTimeout(() => this.#expire(), Math.max(0, at - performance.now()));
  }

  #expire(): void {
    this.#timer = undefined;
    this.#firesAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    for (const call of this.#calls) {
      if (call.deadline <= now) call.timeOut();
      else if (call.deadline < next) next = call.deadline;
    }
    if (next !== Infinity) this.#arm(next);
  }
}

const jsonHeaders = { "content-type": "application/json", accept: "application/json" };

class HttpConnection implements Connection {
  readonly #base: string;
  /** The base URL's path (`""` or `/api`), which REST paths start with. */
  readonly #basePath: string;
  readonly #options: HttpConnectionOptions;
  readonly #opening: Promise<Transport>;
  #transport: Transport | undefined;
  /** The request headers when they are fixed: built once, sent with every call. */
  readonly #fixedHeaders: Record<string, string> | undefined;
  #closed = false;
  /** The interceptors around calls; undefined when there are none. */
  readonly #chain: CallNext | undefined;

  constructor(baseUrl: string, options: HttpConnectionOptions) {
    this.#chain = composeInterceptors(options.interceptors, (call) =>
      this.#send(call.method, call.args, stateOf<CallOptions>(call), call.metadata),
    );
    this.#base = baseUrl.replace(/\/+$/, "");
    this.#basePath = basePathOf(this.#base);
    this.#options = options;
    this.#fixedHeaders =
      typeof options.headers === "function" ? undefined : { ...options.headers, ...jsonHeaders };
    this.#opening = openTransport(this.#base, options);
    this.#opening.then(
      (transport) => (this.#transport = transport),
      // A failure to open surfaces on the first call, not as an unhandled rejection.
      () => {},
    );
  }

  async call<R>(
    service: ServiceDescriptor<any>,
    methodName: string,
    args: readonly unknown[],
    options: CallOptions = {},
  ): Promise<R> {
    const method = methodOf(service, methodName);
    if (method.takesCallback) {
      throw new RpcError(
        ErrorCode.InvalidParams,
        `${method.wireName} takes a callback: call it over connectWebSocket, not connectHttp`,
      );
    }
    if (this.#closed) throw new RpcError(ErrorCode.ConnectionClosed, "Connection closed");
    if (this.#chain === undefined) return this.#send(method, args, options, undefined) as R;
    const call: CallWithState<CallOptions> = {
      kind: "call",
      side: "client",
      transport: "http",
      endpoint: "rest",
      service: service.name,
      method,
      args,
      principal: undefined,
      metadata: {},
      signal: options.signal,
      [callState]: options,
    };
    return (await this.#chain(call)) as R;
  }

  /** One REST exchange; `metadata` (from interceptors) is sent as extra request headers. */
  async #send(
    method: MethodDescriptor,
    args: readonly unknown[],
    options: CallOptions,
    metadata: Record<string, string> | undefined,
  ): Promise<unknown> {
    const service = method.owner;
    const maxDepth = this.#options.maxDepth ?? defaultMaxDepth;
    const body = encodeBody(encodeArguments(method, args), maxDepth);
    const transport = this.#transport ?? (await this.#open());
    const headers =
      this.#fixedHeaders ??
      (typeof this.#options.headers === "function"
        ? { ...(await this.#options.headers()), ...jsonHeaders }
        : jsonHeaders);
    if (options.signal?.aborted) throw cancelled();
    const path = `${this.#basePath}/${service.name}/${method.name}`;
    const answer = await transport.send({
      url: `${this.#base}/${service.name}/${method.name}`,
      path,
      headers: metadata === undefined ? headers : { ...metadata, ...headers },
      body,
      signal: options.signal,
      timeoutMs: options.timeoutMs ?? this.#options.timeoutMs ?? 30_000,
      wireName: method.wireName,
    });
    return readAnswer(method, answer.status, answer.text, maxDepth);
  }

  async #open(): Promise<Transport> {
    try {
      return await this.#opening;
    } catch (error) {
      throw requestFailed(this.#base, error);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await (await this.#opening.catch(() => undefined))?.close();
  }
}

/** `/api` of `http://host:8080/api` (no trailing `/`); `""` for a base at the root. */
function basePathOf(base: string): string {
  try {
    return new URL(base).pathname.replace(/\/+$/, "");
  } catch {
    return "";
  }
}

function describeCause(error: Error): string | undefined {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : undefined;
}

/** The request body, refused with -32602 when the server would refuse it as too deep. */
function encodeBody(params: unknown, maxDepth: number): string {
  try {
    return stringifyJson(params, maxDepth);
  } catch (error) {
    if (error instanceof NestedTooDeeply) {
      throw new RpcError(ErrorCode.InvalidParams, `Invalid params: ${error.message}`);
    }
    throw error;
  }
}

/** Arguments that do not fit their types are the caller's mistake: -32602 with the pointer. */
function encodeArguments(method: MethodDescriptor, args: readonly unknown[]) {
  try {
    return encodeParams(method, args);
  } catch (error) {
    if (error instanceof EncodeError) {
      throw new RpcError(ErrorCode.InvalidParams, error.message, {
        errors: [{ pointer: error.pointer, detail: error.message }],
      });
    }
    throw error;
  }
}

/** The result of a 200/204, or the RpcError of a problem document (declared errors as their class). */
function readAnswer(
  method: MethodDescriptor,
  status: number,
  text: string,
  maxDepth: number,
): unknown {
  let parsed: ParsedJson | undefined;
  try {
    parsed = text === "" ? undefined : parseJsonText(text, maxDepth);
  } catch {
    throw new RpcError(ErrorCode.InternalError, `HTTP ${status} with a body that is not JSON`);
  }
  if (parsed?.tooDeep) {
    throw new RpcError(
      ErrorCode.InvalidParams,
      `${method.wireName}: answer nested too deeply (more than ${maxDepth} levels)`,
    );
  }
  const body = parsed?.value;
  if (status === 200 || status === 204) {
    try {
      return decodeResult(method, body);
    } catch (error) {
      throw new RpcError(
        ErrorCode.InternalError,
        `Invalid result of ${method.wireName}: ${String(error)}`,
      );
    }
  }
  throw fromWireError(wireErrorFromProblem(body, status), method);
}

/** A Connection over REST: `baseUrl` is the server's `{base}`, e.g. `http://host:8080`. */
export function connectHttp(baseUrl: string, options: HttpConnectionOptions = {}): Connection {
  return new HttpConnection(baseUrl, options);
}
