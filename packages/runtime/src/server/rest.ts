/**
 * REST: `POST {base}/{Service}/{method}` with named (or positional) parameters as the JSON
 * body; 200 with the result, 204 for void, a problem document for every failure.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { MethodDescriptor } from "../descriptors.js";
import { ErrorCode } from "../protocol/codes.js";
import { stringifyJson } from "../protocol/json-text.js";
import { problemFromCode } from "../protocol/problem.js";
import { nestedTooDeeply, readJsonBody, type JsonBody } from "./body.js";
import { HttpInvocation, sendFailure, type HttpEnv } from "./http-env.js";
import { InstanceScope } from "./registry.js";
import { sendJsonText, sendNoContent, sendProblem } from "./respond.js";

/** `/{Service}/{method}`: two non-empty segments. */
export function isRestPath(path: string): boolean {
  const slash = path.indexOf("/", 1);
  return (
    path.charCodeAt(0) === 0x2f &&
    slash > 1 &&
    slash < path.length - 1 &&
    path.indexOf("/", slash + 1) === -1
  );
}

function decodeSegment(segment: string): string | undefined {
  if (!segment.includes("%")) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

export function handleRest(
  env: HttpEnv,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  principal: unknown,
): Promise<void> | void {
  const slash = path.indexOf("/", 1);
  const service = decodeSegment(path.slice(1, slash));
  const methodName = decodeSegment(path.slice(slash + 1));
  const method =
    service === undefined || methodName === undefined
      ? undefined
      : env.dispatcher.lookupRest(service, methodName);
  if (method === undefined) {
    const detail = `No method ${methodName ?? "?"} on service ${service ?? "?"}`;
    sendProblem(res, problemFromCode(ErrorCode.MethodNotFound, detail));
    return;
  }
  if (req.method !== "POST") {
    const detail = `${req.method} is not allowed on ${method.wireName}; use POST`;
    sendProblem(res, problemFromCode(ErrorCode.InvalidRequest, detail, 405), { allow: "POST" });
    return;
  }
  // While the body streams in, only this small continuation waits: no suspended async frame
  // holds the request (what waits on the network tends to outlive a young-generation GC).
  return readJsonBody(req, env.body).then(
    (body) => answer(env, req, res, method, principal, body),
    (error: unknown) => sendFailure(env, res, error),
  );
}

/** Dispatches the call and writes its answer: the result, 204, or a problem document. */
async function answer(
  env: HttpEnv,
  req: IncomingMessage,
  res: ServerResponse,
  method: MethodDescriptor,
  principal: unknown,
  body: JsonBody,
): Promise<void> {
  if (!body.empty && body.tooDeep) {
    sendFailure(env, res, nestedTooDeeply(env.body.maxDepth));
    return;
  }
  try {
    const scope = new InstanceScope();
    const call = env.calls.start(res);
    try {
      const params = body.empty ? undefined : body.value;
      const invocation = new HttpInvocation(method, params, principal, scope, call, req);
      const result = await env.dispatcher.invoke(invocation);
      if (method.returns === undefined) sendNoContent(res);
      // An answer deeper than the limit is not sent: 500, logged like any fault.
      else sendJsonText(res, 200, stringifyJson(result ?? null, env.body.maxDepth));
    } finally {
      env.calls.finish(call);
      scope.dispose();
    }
  } catch (error) {
    sendFailure(env, res, error);
  }
}
