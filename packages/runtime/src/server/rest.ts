/**
 * REST: `POST {base}/{Service}/{method}` with named (or positional) parameters as the JSON
 * body; 200 with the result, 204 for void, a problem document for every failure.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ErrorCode } from "../protocol/codes.js";
import { problemFromCode } from "../protocol/problem.js";
import { authenticateRequest } from "./auth.js";
import { HttpFailure, readJsonBody } from "./body.js";
import { HttpInvocation, closeAfterResponse, sendFailure, type HttpEnv } from "./http-env.js";
import { InstanceScope } from "./registry.js";
import { sendJson, sendNoContent, sendProblem } from "./respond.js";

export async function handleRest(
  env: HttpEnv,
  req: IncomingMessage,
  res: ServerResponse,
  service: string,
  methodName: string,
): Promise<void> {
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
  try {
    // Without an authenticate hook there is nothing to wait for.
    const principal =
      env.options.authenticate === undefined
        ? undefined
        : await authenticateRequest(env.options, req);
    const body = await readJsonBody(req, env.options.limits.maxBodyBytes);
    const scope = new InstanceScope();
    const call = env.calls.start(res);
    try {
      const params = body.empty ? undefined : body.value;
      const invocation = new HttpInvocation(method, params, principal, scope, call);
      const result = await env.dispatcher.invoke(invocation);
      if (method.returns === undefined) sendNoContent(res);
      else sendJson(res, 200, result ?? null);
    } finally {
      env.calls.finish(call);
      scope.dispose();
    }
  } catch (error) {
    if (error instanceof HttpFailure && error.status === 413) closeAfterResponse(req, res);
    sendFailure(env, res, error);
  }
}
