/**
 * RpcServer options, and their resolved form with every default applied. Both transports
 * read the resolved form, so a limit or hook means the same thing over HTTP and WebSocket.
 */
import type { IncomingMessage } from "node:http";
import type { MethodDescriptor } from "../descriptors.js";
import type { SequenceEncoding } from "../session/frame.js";
import { jsonSequenceEncoding } from "../session/frame.js";
import { defaultAckPolicy, type AckPolicy } from "../session/inbound.js";
import type { CallContext } from "./context.js";

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
  /** Asked before every call, after its parameters decoded; `false` refuses it (403, -32005). */
  authorize?(ctx: CallContext, method: MethodDescriptor): boolean | Promise<boolean>;
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
}

export interface ResolvedServerOptions {
  /** Normalized mount path: starts with `/`, no trailing `/` except for the root `/`. */
  readonly base: string;
  /** `base` without its trailing `/`: `""` for the root, so routes are `prefix + "/rpc"`. */
  readonly prefix: string;
  readonly authenticate?: (req: IncomingMessage) => unknown;
  readonly authorize?: (ctx: CallContext, method: MethodDescriptor) => boolean | Promise<boolean>;
  readonly logger: Logger;
  readonly limits: ServerLimits;
  readonly heartbeatMs: number;
  readonly callbackTimeoutMs: number;
  readonly closeGraceMs: number;
  readonly sessions: ResolvedSessionOptions;
}

export const defaultLimits: ServerLimits = {
  maxBodyBytes: 1024 * 1024,
  maxFrameBytes: 1024 * 1024,
  maxBufferedBytes: 16 * 1024 * 1024,
  maxInFlightPerConnection: 256,
  maxCallbacksPerConnection: 1024,
  maxBatchSize: 100,
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
  const resolved: ResolvedServerOptions = {
    base,
    prefix: base === "/" ? "" : base,
    logger: options.logger === false ? silentLogger : (options.logger ?? consoleLogger),
    limits: { ...defaultLimits, ...definedOnly(options.limits ?? {}) },
    heartbeatMs: options.heartbeatMs ?? 30_000,
    callbackTimeoutMs: options.callbackTimeoutMs ?? 30_000,
    closeGraceMs: options.closeGraceMs ?? 5_000,
    sessions: resolveSessionOptions(options.sessions ?? {}),
    ...(options.authenticate ? { authenticate: options.authenticate.bind(options) } : {}),
    ...(options.authorize ? { authorize: options.authorize.bind(options) } : {}),
  };
  return resolved;
}

/** `{ maxBodyBytes: undefined }` must not override the default. */
function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(values).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

function resolveSessionOptions(options: SessionOptions): ResolvedSessionOptions {
  const maxUnackedBytes = options.maxUnackedBytes ?? 1024 * 1024;
  return {
    resumeWindowMs: options.resumeWindowMs ?? 60_000,
    maxUnackedBytes,
    maxDetachedBytes: options.maxDetachedBytes ?? 256 * 1024 * 1024,
    congestedBytes: options.congestedBytes ?? Math.floor(maxUnackedBytes / 4),
    ack: { ...defaultAckPolicy, ...definedOnly(options.ack ?? {}) },
    encoding: jsonSequenceEncoding(Buffer.byteLength),
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
