/**
 * RpcServer options, and their resolved form with every default applied. Both transports
 * read the resolved form, so a limit or hook means the same thing over HTTP and WebSocket.
 */
import type { IncomingMessage } from "node:http";
import type { MethodDescriptor } from "../descriptors.js";
import type { Backplane } from "./cluster/backplane.js";
import type { EncodingName } from "../encoding/types.js";
import type { SequenceEncoding } from "../session/frame.js";
import { jsonSequenceEncoding } from "../session/frame.js";
import { coalescedFrameMessages } from "../session/coalescer.js";
import { defaultAckPolicy, type AckPolicy } from "../session/inbound.js";
import { defaultMaxDepth } from "../protocol/json-text.js";
import type { Interceptor } from "../interceptors/interceptor.js";
import { authorizeInterceptor } from "./authorize.js";
import { RateLimiter, type RateLimitOptions } from "./rate-limit.js";
import type { CallContext } from "./context.js";
import { CorsPolicy, type CorsOptions } from "./cors.js";

/** Structured log sink; `fields` are plain data (incident ids, method names, stacks). */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface ServerLimits {
  /** Largest HTTP request body; enforced while reading (413 / -32006). */
  readonly maxBodyBytes: number;
  /** Largest WebSocket frame (close 1009). */
  readonly maxFrameBytes: number;
  /** Unsent bytes a WebSocket connection may hold before it is closed with 1008. */
  readonly maxBufferedBytes: number;
  readonly maxInFlightPerConnection: number;
  readonly maxCallbacksPerConnection: number;
  /** Most messages in one JSON-RPC batch (over HTTP and WebSocket). */
  readonly maxBatchSize: number;
  /**
   * Open connections on this node. A WebSocket upgrade beyond it is answered 503 with
   * Retry-After; a server made by `listen()` or passed to `attach()` also caps its TCP
   * connections (HTTP and WebSocket) at it, beyond which node:http drops new ones at once.
   */
  readonly maxConnections: number;
  /** Sustained WebSocket upgrades per second on this node (a token bucket); beyond it, 503. */
  readonly upgradesPerSecond: number;
  /** Upgrades the bucket lets through at once after a quiet spell. */
  readonly upgradeBurst: number;
  /**
   * Sustained upgrades per second that resume a session (the client says so in the URL),
   * on this node: a bucket of their own, so that a storm of reconnects after a node loss or
   * a deploy neither starves new clients nor is starved by them; beyond it, 503. Default:
   * `upgradesPerSecond`.
   */
  readonly resumesPerSecond: number;
  /** Resuming upgrades the bucket lets through at once after a quiet spell. Default: `upgradeBurst`. */
  readonly resumeBurst: number;
  /**
   * Deepest nesting of arrays and objects in a JSON document read or written (a REST body,
   * a `/rpc` body, a WebSocket frame; the JSON-RPC envelope counts). Deeper input is refused
   * with 400 / -32602 before anything recursive runs; a deeper answer is sent as -32603.
   */
  readonly maxDepth: number;
}

/** What `GET {base}/openapi.json` says about the API, and who may read it. */
export interface OpenApiOptions {
  /** `info.title`. Default `"svcgen services"`. */
  readonly title?: string;
  /** `info.version`. Default `"1.0.0"`. */
  readonly version?: string;
  /** `info.description`. Default: the names of the registered services. */
  readonly description?: string;
  /**
   * Serve the document without authentication. Default `false`: with `authenticate` set,
   * an anonymous caller gets 401 like on every other route.
   */
  readonly public?: boolean;
  /**
   * `components.securitySchemes` of the document when `authenticate` is set; every operation
   * requires all of them. Default `{ bearerAuth: { type: "http", scheme: "bearer" } }`.
   */
  readonly securitySchemes?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** The Prometheus endpoint (docs/operations.md). */
export interface MetricsOptions {
  /** Its path below `{base}`. Default `/metrics`. */
  readonly path?: string;
  /**
   * Who may scrape, asked after `authenticate` admitted the request (its principal, or
   * undefined without `authenticate`); `false` answers 403. Default: whoever `authenticate`
   * admits (everyone without it).
   */
  allow?(req: IncomingMessage, principal: unknown): boolean | Promise<boolean>;
  /**
   * One series per named group, with its members on this node and on every node (one
   * backplane round trip per group and scrape). Default `false`: groups are only counted.
   */
  readonly groups?: boolean;
}

export interface ResolvedMetricsOptions {
  readonly path: string;
  readonly allow?: (req: IncomingMessage, principal: unknown) => boolean | Promise<boolean>;
  readonly groups: boolean;
}

/** The live inspector page (docs/operations.md). */
export interface InspectorOptions {
  /** Its path below `{base}`. Default `/inspector`. */
  readonly path?: string;
}

export interface ResolvedInspectorOptions {
  readonly path: string;
}

/** Sessions of WebSocket clients that ask for one with `$/session` (see docs/sessions.md). */
export interface SessionOptions {
  /** How long a detached session waits for its client to resume. Default 60 000. */
  readonly resumeWindowMs?: number;
  /**
   * Bytes a session keeps for its client until acknowledged. Attached, over it the socket is
   * closed with 1008 (reason `"slow-consumer"`); detached, the session expires early.
   * Default 1 MiB.
   */
  readonly maxUnackedBytes?: number;
  /** All detached sessions of this server together; over it the oldest expire first. Default 256 MiB. */
  readonly maxDetachedBytes?: number;
  /**
   * Unacknowledged bytes from which a session counts as congested: `@conflate` methods then
   * wait, and a newer call replaces an older one. Default a quarter of `maxUnackedBytes`.
   */
  readonly congestedBytes?: number;
  /** When acks are sent. Default: 1 s after the first unacknowledged message, or 64 messages, or 64 KiB. */
  readonly ack?: Partial<AckPolicy>;
  /**
   * Coalesced frames for clients that ask (`"batch"` in `$/session`): what is written to one
   * socket in one turn leaves as one frame of up to 64 KiB. Default `true`; never offered
   * when `limits.maxBatchSize` is below 100 (a coalesced frame from the client may hold 100).
   */
  readonly batch?: boolean;
  /**
   * Whether the principal of a resuming upgrade may take over a session opened by `owner`.
   * Default: the same value, or equal JSON.
   */
  samePrincipal?(owner: unknown, resuming: unknown): boolean;
}

export interface ResolvedSessionOptions {
  readonly resumeWindowMs: number;
  readonly maxUnackedBytes: number;
  readonly maxDetachedBytes: number;
  readonly congestedBytes: number;
  readonly ack: AckPolicy;
  readonly encoding: SequenceEncoding;
  /** Whether `"batch"` is accepted in `$/session`. */
  readonly batch: boolean;
  readonly samePrincipal: (owner: unknown, resuming: unknown) => boolean;
}

export interface RpcServerOptions {
  /** Mount path of every route (`{base}/rpc`, `{base}/ws`, ...). Default `/`. */
  base?: string;
  /**
   * Turns a request (HTTP call or WebSocket upgrade) into a principal. Throwing, rejecting
   * or returning `undefined`/`null` refuses it as unauthenticated (401, -32004); throwing an
   * `RpcError` with code -32005 refuses it as forbidden (403).
   */
  authenticate?(req: IncomingMessage): unknown;
  /**
   * The `WWW-Authenticate` challenge every 401 carries (RFC 9110), when `authenticate` did
   * not give one (an `RpcError` -32004 with `data: { challenge }`). Default `"Bearer"`.
   */
  challenge?: string | ((req: IncomingMessage) => string);
  /**
   * Asked before every call, after its parameters decoded and the interceptors ran; `false`
   * refuses it (403, -32005). It runs as the innermost interceptor.
   */
  authorize?(ctx: CallContext, method: MethodDescriptor): boolean | Promise<boolean>;
  /**
   * Around every call the server serves and every callback it makes, on REST, `/rpc` and
   * WebSocket; the first of the list outermost (see docs/interceptors.md).
   */
  interceptors?: readonly Interceptor[];
  /**
   * Rate limits per method and caller, beyond or instead of the IDL's `@rateLimit`
   * (see docs/operations.md). Over a limit: -32006 with `data.retryAfterMs`, HTTP 429.
   */
  rateLimits?: RateLimitOptions;
  /** Where warnings and errors go. Default: warnings and errors to `console.error`; `false`: nowhere. */
  logger?: Logger | false;
  limits?: Partial<ServerLimits>;
  /** WebSocket ping interval. Default 30 000. */
  heartbeatMs?: number;
  /** How long the server waits for a client to answer an awaited callback. Default 30 000. */
  callbackTimeoutMs?: number;
  /** On `close()`, how long in-flight calls may run before their signals abort. Default 5 000. */
  closeGraceMs?: number;
  /** Resumable WebSocket sessions: their window and bounds. */
  sessions?: SessionOptions;
  /**
   * The WebSocket encodings offered to clients, by subprotocol (docs/encoding.md). A client
   * gets the first one it offers that is listed; one offering none gets `svc.json`, which
   * is always spoken. Default `["svc.msgpack", "svc.json"]`.
   */
  encodings?: readonly EncodingName[];
  /**
   * Joins this server to a cluster (e.g. `redisBackplane(...)` of @svcgen/redis): named
   * groups and callback references then span every node. Without one, the server is a
   * cluster of one.
   */
  backplane?: Backplane;
  /**
   * How long an HTTP request body may take to arrive, from the moment the server starts
   * reading it; a slower one is answered 408 and its connection closed. Default 30 000.
   */
  bodyTimeoutMs?: number;
  /**
   * How long the request line and headers may take to arrive on a server made by `listen()`
   * or passed to `attach()` (node:http's `headersTimeout`; answered 408). Default 30 000.
   */
  headersTimeoutMs?: number;
  /** The OpenAPI document: title, version, security schemes, anonymous access. */
  openApi?: OpenApiOptions;
  /** Lets pages of other origins call over HTTP (see CorsOptions). Default: off. */
  cors?: CorsOptions;
  /** Serves `stats()` to Prometheus at `{base}/metrics` (`true`: the defaults). Default: off. */
  metrics?: MetricsOptions | boolean;
  /**
   * Serves the live inspector page at `{base}/inspector` (`true`: the defaults). Its data
   * comes over the `svcgen.inspector.Inspector` service, which `authorize` guards like any
   * other; without `authorize`, only WebSocket clients on a loopback address may use it.
   * Default: off.
   */
  inspector?: InspectorOptions | boolean;
}

export interface ResolvedServerOptions {
  /** Normalized mount path: starts with `/`, no trailing `/` except for the root `/`. */
  readonly base: string;
  /** `base` without its trailing `/`: `""` for the root, so routes are `prefix + "/rpc"`. */
  readonly prefix: string;
  readonly authenticate?: (req: IncomingMessage) => unknown;
  /** The default challenge of a 401 for `req`. */
  readonly challenge: (req: IncomingMessage) => string;
  /** The user's interceptors, around calls and callbacks. */
  readonly interceptors: readonly Interceptor[];
  /** The buckets of rate-limited methods; its interceptor runs after the user's. */
  readonly rateLimiter: RateLimiter;
  /** `authorize` as an interceptor, the innermost one. */
  readonly authorizer?: Interceptor;
  readonly logger: Logger;
  readonly limits: ServerLimits;
  readonly heartbeatMs: number;
  readonly callbackTimeoutMs: number;
  readonly closeGraceMs: number;
  readonly sessions: ResolvedSessionOptions;
  readonly encodings: readonly EncodingName[];
  readonly backplane?: Backplane;
  readonly bodyTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly openApi: OpenApiOptions;
  readonly cors?: CorsPolicy;
  readonly metrics?: ResolvedMetricsOptions;
  readonly inspector?: ResolvedInspectorOptions;
}

export const defaultLimits: ServerLimits = {
  maxBodyBytes: 1024 * 1024,
  maxFrameBytes: 1024 * 1024,
  maxBufferedBytes: 16 * 1024 * 1024,
  maxInFlightPerConnection: 256,
  maxCallbacksPerConnection: 1024,
  maxBatchSize: 100,
  maxConnections: 10_000,
  upgradesPerSecond: Number.POSITIVE_INFINITY,
  upgradeBurst: 1000,
  resumesPerSecond: Number.POSITIVE_INFINITY,
  resumeBurst: 1000,
  maxDepth: defaultMaxDepth,
};

/** Info is dropped; warnings and errors go to stderr with their fields. */
export const consoleLogger: Logger = {
  info() {},
  warn(message, fields) {
    console.error(`[svcgen] warn: ${message}`, fields ?? "");
  },
  error(message, fields) {
    console.error(`[svcgen] error: ${message}`, fields ?? "");
  },
};

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

function normalizeBase(base: string | undefined): string {
  const trimmed = (base ?? "/").replace(/\/+$/, "");
  if (trimmed === "") return "/";
  return trimmed.startsWith("/") ? trimmed : `/${trimmed}`;
}

export function resolveServerOptions(options: RpcServerOptions = {}): ResolvedServerOptions {
  const base = normalizeBase(options.base);
  const logger = options.logger === false ? silentLogger : (options.logger ?? consoleLogger);
  const limits = resolveLimits(options.limits ?? {});
  const resolved: ResolvedServerOptions = {
    base,
    prefix: base === "/" ? "" : base,
    logger,
    interceptors: [...(options.interceptors ?? [])],
    rateLimiter: new RateLimiter(options.rateLimits),
    ...(options.authorize && {
      authorizer: authorizeInterceptor(options.authorize.bind(options), logger),
    }),
    limits,
    heartbeatMs: options.heartbeatMs ?? 30_000,
    callbackTimeoutMs: options.callbackTimeoutMs ?? 30_000,
    closeGraceMs: options.closeGraceMs ?? 5_000,
    sessions: resolveSessionOptions(options.sessions ?? {}, limits),
    encodings: options.encodings ?? ["svc.msgpack", "svc.json"],
    bodyTimeoutMs: options.bodyTimeoutMs ?? 30_000,
    headersTimeoutMs: options.headersTimeoutMs ?? 30_000,
    openApi: options.openApi ?? {},
    challenge: challengeOf(options.challenge),
    ...(options.backplane ? { backplane: options.backplane } : {}),
    ...(options.authenticate ? { authenticate: options.authenticate.bind(options) } : {}),
    ...(options.cors ? { cors: new CorsPolicy(options.cors) } : {}),
    ...(options.metrics ? { metrics: resolveMetricsOptions(options.metrics) } : {}),
    ...(options.inspector ? { inspector: resolveInspectorOptions(options.inspector) } : {}),
  };
  return resolved;
}

function resolveMetricsOptions(options: MetricsOptions | true): ResolvedMetricsOptions {
  const given = options === true ? {} : options;
  return {
    path: routePath(given.path, "/metrics"),
    groups: given.groups === true,
    ...(given.allow ? { allow: given.allow.bind(given) } : {}),
  };
}

function resolveInspectorOptions(options: InspectorOptions | true): ResolvedInspectorOptions {
  const given = options === true ? {} : options;
  return { path: routePath(given.path, "/inspector") };
}

/** A route path below `{base}`: starts with `/`, no trailing `/`, not the root. */
function routePath(path: string | undefined, fallback: string): string {
  const trimmed = (path ?? fallback).replace(/\/+$/, "");
  const normalized = trimmed.startsWith("/") ? trimmed : `/${trimmed}`;
  if (normalized === "/" || /[?#\s]/.test(normalized)) {
    throw new TypeError(`not a route path: ${JSON.stringify(path)}`);
  }
  return normalized;
}

function challengeOf(challenge: RpcServerOptions["challenge"]): (req: IncomingMessage) => string {
  if (typeof challenge === "function") return challenge;
  const fixed = challenge ?? "Bearer";
  return () => fixed;
}

/** `{ maxBodyBytes: undefined }` must not override the default. */
function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(values).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

/** Resumes are limited like upgrades unless told otherwise (a bucket of their own). */
function resolveLimits(given: Partial<ServerLimits>): ServerLimits {
  const limits = { ...defaultLimits, ...definedOnly(given) };
  return {
    ...limits,
    resumesPerSecond: given.resumesPerSecond ?? limits.upgradesPerSecond,
    resumeBurst: given.resumeBurst ?? limits.upgradeBurst,
  };
}

function resolveSessionOptions(
  options: SessionOptions,
  limits: ServerLimits,
): ResolvedSessionOptions {
  const maxUnackedBytes = options.maxUnackedBytes ?? 1024 * 1024;
  return {
    resumeWindowMs: options.resumeWindowMs ?? 60_000,
    maxUnackedBytes,
    maxDetachedBytes: options.maxDetachedBytes ?? 256 * 1024 * 1024,
    congestedBytes: options.congestedBytes ?? Math.floor(maxUnackedBytes / 4),
    ack: { ...defaultAckPolicy, ...definedOnly(options.ack ?? {}) },
    encoding: jsonSequenceEncoding(Buffer.byteLength),
    batch: options.batch !== false && limits.maxBatchSize >= coalescedFrameMessages,
    samePrincipal: options.samePrincipal
      ? options.samePrincipal.bind(options)
      : (owner, resuming) => owner === resuming || sameJson(owner, resuming),
  };
}

function sameJson(a: unknown, b: unknown): boolean {
  try {
    return JSON.stringify(a) === JSON.stringify(b);
  } catch {
    return false;
  }
}
