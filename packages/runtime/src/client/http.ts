/**
 * `connectHttp`: a Connection that makes each call a REST request (`POST
 * {base}/{Service}/{method}` with named parameters). In Node it uses an undici Agent with
 * keep-alive; elsewhere (browsers) the global `fetch`. undici is loaded by a dynamic import
 * whose specifier bundlers cannot follow, so a browser bundle never contains it.
 */
import { decodeResult, encodeParams } from "../codec/params.js";
import { EncodeError } from "../codec/errors.js";
import type { MethodDescriptor, ServiceDescriptor } from "../descriptors.js";
import { ErrorCode } from "../protocol/codes.js";
import { RpcError, fromWireError } from "../protocol/errors.js";
import { wireErrorFromProblem } from "../protocol/problem.js";
import type { CallOptions, Connection } from "./connection.js";

type Fetch = (input: string, init: RequestInit & { dispatcher?: unknown }) => Promise<Response>;

export interface HttpConnectionOptions {
  /** Sent with every request (e.g. `authorization`); a function is asked before each call. */
  readonly headers?:
    Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
  /** Default time limit of a call (rejects with -32003); 0 means none. Default 30 000. */
  readonly timeoutMs?: number;
  /** A fetch to use instead of undici (Node) or the global fetch (elsewhere). */
  readonly fetch?: Fetch;
}

interface Transport {
  readonly fetch: Fetch;
  readonly dispatcher?: unknown;
  close(): Promise<void>;
}

const isNode = typeof process !== "undefined" && typeof process.versions?.node === "string";
/** A variable, not a literal: bundlers leave `import(undiciModule)` alone. */
const undiciModule = "undici";

async function openTransport(options: HttpConnectionOptions): Promise<Transport> {
  if (options.fetch) return { fetch: options.fetch, close: async () => {} };
  if (isNode) {
    const undici = (await import(/* webpackIgnore: true */ undiciModule)) as {
      Agent: new (options: object) => { close(): Promise<void> };
      fetch: Fetch;
    };
    const agent = new undici.Agent({ keepAliveTimeout: 10_000, connections: 64 });
    return { fetch: undici.fetch, dispatcher: agent, close: () => agent.close() };
  }
  return { fetch: (input, init) => globalThis.fetch(input, init), close: async () => {} };
}

class HttpConnection implements Connection {
  readonly #base: string;
  readonly #options: HttpConnectionOptions;
  readonly #transport: Promise<Transport>;
  #closed = false;

  constructor(baseUrl: string, options: HttpConnectionOptions) {
    this.#base = baseUrl.replace(/\/+$/, "");
    this.#options = options;
    this.#transport = openTransport(options);
    // A failure to open surfaces on the first call, not as an unhandled rejection.
    this.#transport.catch(() => {});
  }

  async call<R>(
    service: ServiceDescriptor<any>,
    methodName: string,
    args: readonly unknown[],
    options: CallOptions = {},
  ): Promise<R> {
    const method = service.methods.get(methodName);
    if (method === undefined) {
      throw new RpcError(ErrorCode.MethodNotFound, `${service.name} has no method ${methodName}`);
    }
    if (method.takesCallback) {
      throw new RpcError(
        ErrorCode.InvalidParams,
        `${method.wireName} takes a callback: call it over connectWebSocket, not connectHttp`,
      );
    }
    if (this.#closed) throw new RpcError(ErrorCode.ConnectionClosed, "Connection closed");
    const body = JSON.stringify(encodeArguments(method, args));
    const transport = await this.#transport;
    const headers =
      typeof this.#options.headers === "function"
        ? await this.#options.headers()
        : this.#options.headers;

    const timeoutMs = options.timeoutMs ?? this.#options.timeoutMs ?? 30_000;
    const abort = new AbortController();
    let timedOut = false;
    const timer =
      timeoutMs > 0 ? setTimeout(() => ((timedOut = true), abort.abort()), timeoutMs) : undefined;
    const onCallerAbort = () => abort.abort();
    if (options.signal?.aborted) throw cancelled();
    options.signal?.addEventListener("abort", onCallerAbort, { once: true });
    try {
      const response = await transport.fetch(`${this.#base}/${service.name}/${method.name}`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json", accept: "application/json" },
        body,
        signal: abort.signal,
        ...(transport.dispatcher ? { dispatcher: transport.dispatcher } : {}),
      });
      const text = await response.text();
      return readAnswer(method, response.status, text) as R;
    } catch (error) {
      if (error instanceof RpcError) throw error;
      if (timedOut)
        throw new RpcError(
          ErrorCode.TimedOut,
          `${method.wireName} timed out after ${timeoutMs} ms`,
        );
      if (abort.signal.aborted) throw cancelled();
      const reason =
        error instanceof Error ? (describeCause(error) ?? error.message) : String(error);
      throw new RpcError(ErrorCode.ConnectionClosed, `Request to ${this.#base} failed: ${reason}`);
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onCallerAbort);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await (await this.#transport.catch(() => undefined))?.close();
  }
}

function cancelled(): RpcError {
  return new RpcError(ErrorCode.Cancelled, "Cancelled");
}

function describeCause(error: Error): string | undefined {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : undefined;
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
function readAnswer(method: MethodDescriptor, status: number, text: string): unknown {
  let body: unknown;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    throw new RpcError(ErrorCode.InternalError, `HTTP ${status} with a body that is not JSON`);
  }
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
