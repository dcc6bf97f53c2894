/**
 * JSON-RPC 2.0 messages: classification of parsed JSON and response builders. Pure (no
 * I/O), shared by `/rpc` over HTTP and the WebSocket transport so both read the same rules.
 */
import type { JsonValue } from "../codec/schema.js";
import { ErrorCode } from "./codes.js";
import type { WireErrorObject } from "./errors.js";
import { stringifyJson } from "./json-text.js";

/** `null` only appears in answers to messages whose id could not be read. */
export type JsonRpcId = string | number | null;

/** Parameters are by name (object) or by position (array); absent means none. */
export type JsonRpcParams = { [key: string]: unknown } | unknown[];

/** The `error` member of a failed response (the same shape `toWireError` returns). */
export type WireError = Readonly<WireErrorObject>;

export interface JsonRpcRequest {
  readonly jsonrpc: "2.0";
  readonly id: JsonRpcId;
  readonly method: string;
  readonly params?: JsonRpcParams;
}

/** A request without `id`: nothing answers it. */
export interface JsonRpcNotification {
  readonly jsonrpc: "2.0";
  readonly method: string;
  readonly params?: JsonRpcParams;
}

export interface JsonRpcSuccess {
  readonly jsonrpc: "2.0";
  readonly id: JsonRpcId;
  readonly result: JsonValue;
}

export interface JsonRpcFailure {
  readonly jsonrpc: "2.0";
  readonly id: JsonRpcId;
  readonly error: WireError;
}

export type JsonRpcResponse = JsonRpcSuccess | JsonRpcFailure;

/** What one parsed JSON value is, as a single (non-batch) JSON-RPC message. */
export type ParsedMessage =
  | { readonly kind: "request"; readonly message: JsonRpcRequest }
  | { readonly kind: "notification"; readonly message: JsonRpcNotification }
  | { readonly kind: "response"; readonly message: JsonRpcResponse }
  /**
   * Answer it with `errorResponse(id, error)`; `id` is the message's id when readable. With
   * `response`, the message had an id and no method: it was meant as an answer, and a peer
   * that also sends requests must not answer it (the id is in the peer's own id space).
   */
  | {
      readonly kind: "invalid";
      readonly id: JsonRpcId;
      readonly error: WireError;
      readonly response?: true;
    };

function isPlainObject(value: unknown): value is { [key: string]: unknown } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A string, null, or a number that survived JSON.parse unaltered. An integer beyond 2^53 was
 * rounded by the parse (`9223372036854775807` reads as `9223372036854775808`), so echoing it
 * would answer a different id: such an id is not readable, and the message is refused.
 */
function isId(value: unknown): value is JsonRpcId {
  if (value === null || typeof value === "string") return true;
  if (typeof value !== "number" || !Number.isFinite(value)) return false;
  return Number.isSafeInteger(value) || !Number.isInteger(value);
}

function has(object: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

function invalid(id: JsonRpcId, message: string): ParsedMessage {
  return { kind: "invalid", id, error: { code: ErrorCode.InvalidRequest, message } };
}

/**
 * Classifies one message (not a batch: the caller iterates arrays, so that it can apply
 * its own batch limits). Never throws.
 */
export function parseMessage(value: unknown): ParsedMessage {
  if (!isPlainObject(value)) return invalid(null, "Invalid request: expected an object");
  const id = has(value, "id") && isId(value["id"]) ? value["id"] : null;
  if (value["jsonrpc"] !== "2.0") {
    return asAnswer(value, id, invalid(id, 'Invalid request: jsonrpc must be "2.0"'));
  }
  if (has(value, "id") && !isId(value["id"])) {
    return invalid(
      null,
      "Invalid request: id must be a string, null, or a number within ±(2^53 - 1) when whole",
    );
  }
  if (has(value, "method")) {
    const method = value["method"];
    if (typeof method !== "string") return invalid(id, "Invalid request: method must be a string");
    const params = value["params"];
    if (params !== undefined && typeof params !== "object") {
      return invalid(id, "Invalid request: params must be an object or an array");
    }
    if (params === null)
      return invalid(id, "Invalid request: params must be an object or an array");
    const base =
      params === undefined
        ? { jsonrpc: "2.0" as const, method }
        : { jsonrpc: "2.0" as const, method, params: params as JsonRpcParams };
    if (!has(value, "id")) return { kind: "notification", message: base };
    return { kind: "request", message: { ...base, id } };
  }
  const hasResult = has(value, "result");
  const hasError = has(value, "error");
  if (has(value, "id") && hasResult !== hasError) {
    if (hasResult) {
      return {
        kind: "response",
        message: { jsonrpc: "2.0", id, result: value["result"] as JsonValue },
      };
    }
    const error = value["error"];
    if (
      isPlainObject(error) &&
      typeof error["code"] === "number" &&
      typeof error["message"] === "string"
    ) {
      const wire: WireError =
        error["data"] === undefined
          ? { code: error["code"], message: error["message"] }
          : { code: error["code"], message: error["message"], data: error["data"] as JsonValue };
      return { kind: "response", message: { jsonrpc: "2.0", id, error: wire } };
    }
  }
  return asAnswer(value, id, invalid(id, "Invalid request: neither a request nor a response"));
}

/** Marks an invalid message that has an id and no method as a malformed answer. */
function asAnswer(value: object, id: JsonRpcId, parsed: ParsedMessage): ParsedMessage {
  if (parsed.kind !== "invalid" || id === null || has(value, "method")) return parsed;
  return { ...parsed, response: true };
}

/** A success answer; a `void` result (`undefined`) travels as `null`. */
export function resultResponse(id: JsonRpcId, result: JsonValue | undefined): JsonRpcSuccess {
  return { jsonrpc: "2.0", id, result: result === undefined ? null : result };
}

export function errorResponse(id: JsonRpcId, error: WireError): JsonRpcFailure {
  const wire: WireError =
    error.data === undefined
      ? { code: error.code, message: error.message }
      : { code: error.code, message: error.message, data: error.data };
  return { jsonrpc: "2.0", id, error: wire };
}

/** The answer to text that is not JSON at all. */
export function parseErrorResponse(): JsonRpcFailure {
  return errorResponse(null, { code: ErrorCode.ParseError, message: "Parse error" });
}

/** The answer to an empty batch `[]`, which JSON-RPC 2.0 counts as one invalid request. */
export function emptyBatchResponse(): JsonRpcFailure {
  return errorResponse(null, {
    code: ErrorCode.InvalidRequest,
    message: "Invalid request: empty batch",
  });
}

/** The answer to a request nested deeper than the limit (see json-text.ts). */
export function nestedTooDeeplyResponse(id: JsonRpcId): JsonRpcFailure {
  return errorResponse(id, {
    code: ErrorCode.InvalidParams,
    message: "Invalid params: nested too deeply",
  });
}

/** What an answer that cannot be encoded becomes: nothing of it leaves but the id. */
function internalErrorResponse(id: JsonRpcId): JsonRpcFailure {
  return errorResponse(id, { code: ErrorCode.InternalError, message: "Internal error" });
}

/**
 * The text of an answer or a batch of answers, within the nesting limit. An answer that
 * cannot be encoded (too deep, or holding what JSON cannot) becomes -32603 for its id, so
 * that encoding never fails: `unencodable` counts those, for the caller to log.
 */
export function encodeResponses(
  message: JsonRpcResponse | readonly JsonRpcResponse[],
  maxDepth: number,
): { readonly text: string; readonly unencodable: number } {
  try {
    return { text: stringifyJson(message, maxDepth), unencodable: 0 };
  } catch {
    if (!Array.isArray(message)) {
      const single = message as JsonRpcResponse;
      return { text: JSON.stringify(internalErrorResponse(single.id)), unencodable: 1 };
    }
    let unencodable = 0;
    const members = message.map((answer) => {
      try {
        // Inside the batch array: one level less for the member.
        return stringifyJson(answer, maxDepth - 1);
      } catch {
        unencodable++;
        return JSON.stringify(internalErrorResponse(answer.id));
      }
    });
    return { text: `[${members.join(",")}]`, unencodable };
  }
}
