/**
 * REST: `POST {base}/{Service}/{method}` with named (or positional) parameters as the JSON
 * body; 200 with the result, 204 for void, a problem document for every failure.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { MethodDescriptor } from "../descriptors.js";
import { ErrorCode } from "../protocol/codes.js";
import { stringifyJson } from "../protocol/json-text.js";
import { problemFromCode } from "../protocol/problem.js";
import { authenticateRequest } from "./auth.js";
import { HttpFailure, nestedTooDeeply, readJsonBody, type JsonBody } from "./body.js";
import { HttpInvocation, closeAfterResponse, sendFailure, type HttpEnv } from "./http-env.js";
import { InstanceScope } from "./registry.js";
import { sendJsonText, sendNoContent, sendProblem } from "./respond.js";

export function handleRest(
  env: HttpEnv,
  req: IncomingMessage,
  res: ServerResponse,
  service: string,
  methodName: string,
): Promise<void> | void {
  const method = env.dispatcher.lookupRest(service, methodName);
  if (method === undefined) {
    const detail = `No method ${methodName} on service ${service}`;
    sendProblem(res, problemFromCode(ErrorCode.MethodNotFound, detail));
    return;
  }
  if (req.method !== "POST") {
    const detail = `${req.method} is not allowed on ${method.wireName}; use POST`;
    sendProblem(res, problemFromCode(ErrorCode.InvalidRequest, detail, 405), { allow: "POST" });
    return;
  }
  if (env.options.authenticate !== undefined) return authenticateThenAnswer(env, req, res, method);
  // While the body streams in, only this small continuation waits: no suspended async frame
  // holds the request (what waits on the network tends to outlive a young-generation GC).
  return readJsonBody(req, env.options.limits.maxBodyBytes, env.options.limits.maxDepth).then(
    (body) => answer(env, req, res, method, undefined, body),
    (error: unknown) => fail(env, req, res, error),
  );
}

async function authenticateThenAnswer(
  env: HttpEnv,
  req: IncomingMessage,
  res: ServerResponse,
  method: MethodDescriptor,
): Promise<void> {
  let principal: unknown;
  let body: JsonBody;
  try {
    principal = await authenticateRequest(env.options, req);
    body = await readJsonBody(req, env.options.limits.maxBodyBytes, env.options.limits.maxDepth);
  } catch (error) {
    fail(env, req, res, error);
    return;
  }
  return answer(env, req, res, method, principal, body);
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
    fail(env, req, res, nestedTooDeeply(env.options.limits.maxDepth));
    return;
  }
  try {
    const scope = new InstanceScope();
    const call = env.calls.start(res);
    try {
      const params = body.empty ? undefined : body.value;
      const invocation = new HttpInvocation(method, params, principal, scope, call);
      const result = await env.dispatcher.invoke(invocation);
      if (method.returns === undefined) sendNoContent(res);
      // An answer deeper than the limit is not sent: 500, logged like any fault.
      else sendJsonText(res, 200, stringifyJson(result ?? null, env.options.limits.maxDepth));
    } finally {
      env.calls.finish(call);
      scope.dispose();
    }
  } catch (error) {
    fail(env, req, res, error);
  }
}

function fail(env: HttpEnv, req: IncomingMessage, res: ServerResponse, error: unknown): void {
  if (error instanceof HttpFailure && error.status === 413) closeAfterResponse(req, res);
  sendFailure(env, res, error);
}
