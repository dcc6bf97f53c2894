/**
 * RFC 9457 problem documents: how an RpcError travels over REST, and back. Pure (no I/O);
 * the REST adapter writes them and `connectHttp` reads them.
 */
import type { JsonValue } from "../codec/schema.js";
import { ErrorCode } from "./codes.js";
import { toWireError, type RpcError } from "./errors.js";
import type { WireError } from "./jsonrpc.js";

export const problemContentType = "application/problem+json";

export interface ProblemDocument {
  /** `urn:svcgen:problem:<kind>`, or `urn:svcgen:error:<wire name>` for a declared error. */
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  /** The JSON-RPC code of the same failure. */
  readonly code: number;
  /** Invalid parameters: one entry per mismatch. */
  readonly errors?: JsonValue;
  /** Declared errors: wire name and encoded fields. */
  readonly error?: string;
  readonly data?: JsonValue;
  /** Internal errors: the id under which the server logged the exception. */
  readonly incident?: string;
  /** Rate-limited calls (429): how long until the call would be allowed. */
  readonly retryAfterMs?: number;
}

interface CodeInfo {
  readonly status: number;
  readonly kind: string;
  readonly title: string;
}

/** One row per JSON-RPC code: its HTTP status and problem title. */
const codeTable: ReadonlyMap<number, CodeInfo> = new Map([
  [ErrorCode.ParseError, { status: 400, kind: "malformed-json", title: "Malformed JSON" }],
  [ErrorCode.InvalidRequest, { status: 400, kind: "invalid-request", title: "Invalid request" }],
  [ErrorCode.MethodNotFound, { status: 404, kind: "not-found", title: "Not found" }],
  [ErrorCode.InvalidParams, { status: 400, kind: "invalid-params", title: "Invalid parameters" }],
  [ErrorCode.InternalError, { status: 500, kind: "internal", title: "Internal server error" }],
  [ErrorCode.DeclaredError, { status: 400, kind: "declared", title: "Error" }],
  [
    ErrorCode.CallbackReleased,
    { status: 410, kind: "callback-released", title: "Callback released" },
  ],
  // The call was aborted by the server (closing) since an HTTP client that went away gets no answer.
  [ErrorCode.Cancelled, { status: 503, kind: "cancelled", title: "Cancelled" }],
  [ErrorCode.TimedOut, { status: 504, kind: "timed-out", title: "Timed out" }],
  [ErrorCode.Unauthenticated, { status: 401, kind: "unauthenticated", title: "Unauthenticated" }],
  [ErrorCode.Forbidden, { status: 403, kind: "forbidden", title: "Forbidden" }],
  [ErrorCode.LimitExceeded, { status: 413, kind: "too-large", title: "Payload too large" }],
  [
    ErrorCode.ConnectionClosed,
    { status: 502, kind: "connection-closed", title: "Connection closed" },
  ],
]);

const internal = codeTable.get(ErrorCode.InternalError)!;

function isObject(value: unknown): value is { [key: string]: unknown } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A -32006 of a rate limit: 429 with Retry-After, not 413. */
const rateLimited: CodeInfo = { status: 429, kind: "rate-limited", title: "Too many requests" };

/** `data.retryAfterMs` of a rate-limit refusal (-32006), if that is what `data` is. */
export function retryAfterMsOf(code: number, data: unknown): number | undefined {
  if (code !== ErrorCode.LimitExceeded || !isObject(data)) return undefined;
  const ms = data["retryAfterMs"];
  return typeof ms === "number" && Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

function infoOf(code: number, data: unknown): CodeInfo {
  if (retryAfterMsOf(code, data) !== undefined) return rateLimited;
  return codeTable.get(code) ?? internal;
}

/** The HTTP status of an error: a declared error's `@status`, else by its code. */
export function statusOf(error: RpcError): number {
  if (error.descriptor !== undefined) return error.descriptor.status;
  return infoOf(error.code, error.data).status;
}

/** The problem document of an error that the dispatcher made wire-ready. */
export function problemFromError(error: RpcError): ProblemDocument {
  const wire = toWireError(error);
  const data = isObject(wire.data) ? wire.data : {};
  // toWireError degrades a declared error whose fields do not encode: follow the wire code.
  if (error.descriptor !== undefined && wire.code === ErrorCode.DeclaredError) {
    return {
      type: `urn:svcgen:error:${error.descriptor.name}`,
      title: error.descriptor.name,
      status: error.descriptor.status,
      detail: wire.message,
      code: wire.code,
      error: error.descriptor.name,
      data: (data["data"] ?? {}) as JsonValue,
    };
  }
  const info = infoOf(wire.code, wire.data);
  const status = info.status;
  const problem: ProblemDocument = {
    type: `urn:svcgen:problem:${info.kind}`,
    title: info.title,
    status,
    detail: wire.message,
    code: wire.code,
  };
  if (wire.code === ErrorCode.InvalidParams && data["errors"] !== undefined) {
    return { ...problem, errors: data["errors"] as JsonValue };
  }
  if (typeof data["incident"] === "string") return { ...problem, incident: data["incident"] };
  const retryAfterMs = retryAfterMsOf(wire.code, data);
  if (retryAfterMs !== undefined) return { ...problem, retryAfterMs };
  return problem;
}

/** A problem for a failure that never reached the dispatcher (routing, body, headers). */
export function problemFromCode(code: number, detail: string, status?: number): ProblemDocument {
  const info = codeTable.get(code) ?? internal;
  return {
    type: `urn:svcgen:problem:${info.kind}`,
    title: info.title,
    status: status ?? info.status,
    detail,
    code,
  };
}

/**
 * The JSON-RPC error carried by a problem document (what `fromWireError` reads), so that a
 * REST client sees the same RpcError a JSON-RPC client would. Anything that is not a problem
 * document becomes an error of `fallbackCode` describing the HTTP status.
 */
export function wireErrorFromProblem(
  body: unknown,
  status: number,
  fallbackCode: number = ErrorCode.InternalError,
): WireError {
  if (!isObject(body) || typeof body["code"] !== "number") {
    return { code: fallbackCode, message: `HTTP ${status}` };
  }
  const message = typeof body["detail"] === "string" ? body["detail"] : `HTTP ${status}`;
  const code = body["code"];
  if (code === ErrorCode.DeclaredError && typeof body["error"] === "string") {
    return {
      code,
      message,
      data: { error: body["error"], data: (body["data"] ?? {}) as JsonValue },
    };
  }
  if (body["errors"] !== undefined)
    return { code, message, data: { errors: body["errors"] as JsonValue } };
  if (typeof body["incident"] === "string")
    return { code, message, data: { incident: body["incident"] } };
  const retryAfterMs = retryAfterMsOf(code, { retryAfterMs: body["retryAfterMs"] });
  if (retryAfterMs !== undefined) return { code, message, data: { retryAfterMs } };
  return { code, message };
}
