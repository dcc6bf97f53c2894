/**
 * `POST {base}/rpc`: JSON-RPC 2.0 over HTTP for generic clients. One request or a batch per
 * POST; notifications run but get no answer entry (a batch of only notifications → 204).
 * Protocol-level failures answer with a JSON-RPC error body and status 200, as generic
 * clients expect; HTTP-level refusals (405, 415, 413, 408, 401/403) keep their status.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { JsonValue } from "../codec/schema.js";
import { ErrorCode } from "../protocol/codes.js";
import { RpcError, toWireError } from "../protocol/errors.js";
import {
  emptyBatchResponse,
  encodeResponses,
  errorResponse,
  nestedTooDeeplyResponse,
  parseErrorResponse,
  parseMessage,
  resultResponse,
  type JsonRpcId,
  type JsonRpcResponse,
} from "../protocol/jsonrpc.js";
import { problemFromCode, statusOf } from "../protocol/problem.js";
import { HttpFailure, readJsonBody, type JsonBody } from "./body.js";
import { headerMetadata, sendFailure, withChallenge, type HttpEnv } from "./http-env.js";
import { InstanceScope } from "./registry.js";
import { sendJson, sendJsonText, sendNoContent, sendProblem } from "./respond.js";

export async function handleJsonRpc(
  env: HttpEnv,
  req: IncomingMessage,
  res: ServerResponse,
  _path: string,
  principal: unknown,
): Promise<void> {
  if (req.method !== "POST") {
    const detail = `${req.method} is not allowed on /rpc; use POST`;
    sendProblem(res, problemFromCode(ErrorCode.InvalidRequest, detail, 405), { allow: "POST" });
    return;
  }
  let body: JsonBody;
  try {
    body = await readJsonBody(req, env.body);
  } catch (error) {
    if (error instanceof HttpFailure && error.code === ErrorCode.ParseError) {
      sendJson(res, 200, parseErrorResponse());
    } else {
      sendFailure(env, res, error);
    }
    return;
  }
  if (body.empty) {
    sendJson(
      res,
      200,
      errorResponse(null, {
        code: ErrorCode.InvalidRequest,
        message: "Invalid request: empty body",
      }),
    );
    return;
  }
  const scope = new InstanceScope();
  try {
    const answer = await env.calls.track(res, (signal) =>
      body.tooDeep
        ? Promise.resolve(refuseTooDeep(env, body.value))
        : answerPayload(env, req, body.value, principal, scope, signal),
    );
    if (answer === undefined) sendNoContent(res);
    else sendEncoded(env, res, answer);
  } finally {
    scope.dispose();
  }
}

/** Refused credentials: the HTTP status says so (401 with its challenge), the body is JSON-RPC. */
export function refuseJsonRpc(env: HttpEnv, res: ServerResponse, error: unknown): void {
  if (!(error instanceof RpcError)) return sendFailure(env, res, error);
  const status = statusOf(error);
  const body = errorResponse(null, toWireError(error));
  sendJson(res, status, body, withChallenge(env, res, status, error));
}

/**
 * The answer to a body nested too deeply: each request in it (its deep parts cut out, its
 * envelope intact) gets -32602 with its id; nothing runs.
 */
function refuseTooDeep(
  env: HttpEnv,
  payload: unknown,
): JsonRpcResponse | JsonRpcResponse[] | undefined {
  const refuse = (message: unknown): JsonRpcResponse | undefined => {
    const parsed = parseMessage(message);
    if (parsed.kind === "notification") return undefined;
    if (parsed.kind === "request") return nestedTooDeeplyResponse(parsed.message.id);
    return nestedTooDeeplyResponse(parsed.kind === "response" ? parsed.message.id : parsed.id);
  };
  if (!Array.isArray(payload)) return refuse(payload);
  if (payload.length > env.options.limits.maxBatchSize) {
    return errorResponse(null, {
      code: ErrorCode.LimitExceeded,
      message: `Batch of ${payload.length} messages is over the limit of ${env.options.limits.maxBatchSize}`,
    });
  }
  const responses = payload.map(refuse).filter((r): r is JsonRpcResponse => r !== undefined);
  return responses.length === 0 ? undefined : responses;
}

/** Writes answers; one that cannot be encoded goes out as -32603 for its id. */
function sendEncoded(
  env: HttpEnv,
  res: ServerResponse,
  answer: JsonRpcResponse | JsonRpcResponse[],
): void {
  const { text, unencodable } = encodeResponses(answer, env.body.maxDepth);
  if (unencodable > 0) {
    env.options.logger.error("JSON-RPC answer could not be encoded: sent -32603 instead", {
      answers: unencodable,
      maxDepth: env.body.maxDepth,
    });
  }
  sendJsonText(res, 200, text);
}

/** The answer to a single message or a batch; undefined when nothing needs an answer. */
async function answerPayload(
  env: HttpEnv,
  req: IncomingMessage,
  payload: unknown,
  principal: unknown,
  scope: InstanceScope,
  signal: AbortSignal,
): Promise<JsonRpcResponse | JsonRpcResponse[] | undefined> {
  if (!Array.isArray(payload)) return answerMessage(env, req, payload, principal, scope, signal);
  if (payload.length === 0) return emptyBatchResponse();
  if (payload.length > env.options.limits.maxBatchSize) {
    return errorResponse(null, {
      code: ErrorCode.LimitExceeded,
      message: `Batch of ${payload.length} messages is over the limit of ${env.options.limits.maxBatchSize}`,
    });
  }
  const answers = await Promise.all(
    payload.map((message) => answerMessage(env, req, message, principal, scope, signal)),
  );
  const responses = answers.filter((answer): answer is JsonRpcResponse => answer !== undefined);
  return responses.length === 0 ? undefined : responses;
}

async function answerMessage(
  env: HttpEnv,
  req: IncomingMessage,
  value: unknown,
  principal: unknown,
  scope: InstanceScope,
  signal: AbortSignal,
): Promise<JsonRpcResponse | undefined> {
  const parsed = parseMessage(value);
  if (parsed.kind === "invalid") return errorResponse(parsed.id, parsed.error);
  if (parsed.kind === "response") {
    const message = "Invalid request: the server sends no requests over HTTP";
    return errorResponse(parsed.message.id, { code: ErrorCode.InvalidRequest, message });
  }
  const id: JsonRpcId | undefined = parsed.kind === "request" ? parsed.message.id : undefined;
  const answer = (result: JsonValue | undefined) =>
    id === undefined ? undefined : resultResponse(id, result);
  const fail = (error: RpcError) =>
    id === undefined ? undefined : errorResponse(id, toWireError(error));

  const { method: name, params } = parsed.message;
  if (name === "$/contract") return answer({ services: env.dispatcher.contract() });
  const method = env.dispatcher.lookup(name);
  if (method === undefined) {
    return fail(new RpcError(ErrorCode.MethodNotFound, `Method not found: ${name}`));
  }
  try {
    const result = await env.dispatcher.invoke({
      method,
      params,
      transport: "http",
      endpoint: "rpc",
      ...(id !== undefined && { requestId: id }),
      metadata: () => headerMetadata(req.headers),
      remoteAddress: req.socket.remoteAddress,
      principal,
      scope,
      signal,
    });
    return answer(result);
  } catch (error) {
    return fail(error as RpcError);
  }
}
