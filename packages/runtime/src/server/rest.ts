/**
 * REST: `POST {base}/{Service}/{method}` with named (or positional) parameters as the JSON
 * body; 200 with the result, 204 for void, a problem document for every failure.
 *
 * This is the path of every plain HTTP call, so it is kept lean: one object per request
 * reads the body (shared listeners, no promise), a path written without escapes is one map
 * lookup, and a synchronous implementation is answered in the turn its body arrived, with
 * no promise in between (see bench/FINDINGS.md).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { JsonValue } from "../codec/schema.js";
import type { MethodDescriptor } from "../descriptors.js";
import { ErrorCode } from "../protocol/codes.js";
import { stringifyJson } from "../protocol/json-text.js";
import { problemFromCode } from "../protocol/problem.js";
import {
  announcesBody,
  BodyReader,
  checkJsonContentType,
  parseRestBody,
  type HttpFailure,
} from "./body.js";
import type { TrackedCall } from "./call-tracker.js";
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
): void {
  const method = env.dispatcher.restRoute(path) ?? lookupEscaped(env, res, path);
  if (method === undefined) return;
  if (req.method !== "POST") {
    const detail = `${req.method} is not allowed on ${method.wireName}; use POST`;
    sendProblem(res, problemFromCode(ErrorCode.InvalidRequest, detail, 405), { allow: "POST" });
    return;
  }
  try {
    checkJsonContentType(req, announcesBody(req));
  } catch (error) {
    sendFailure(env, res, error);
    return;
  }
  // While the body streams in, only this object waits: no suspended async frame holds the
  // request (what waits on the network tends to outlive a young-generation GC).
  new RestRequest(env, req, res, method, principal);
}

/** The method at a path with escapes (`/a.B/%61dd`), decoded; else answers 404, undefined. */
function lookupEscaped(
  env: HttpEnv,
  res: ServerResponse,
  path: string,
): MethodDescriptor | undefined {
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
  }
  return method;
}

/** One REST call from its body on: reads it, dispatches the call, writes the answer. */
class RestRequest extends BodyReader {
  readonly #env: HttpEnv;
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;
  readonly #method: MethodDescriptor;
  readonly #principal: unknown;

  constructor(
    env: HttpEnv,
    req: IncomingMessage,
    res: ServerResponse,
    method: MethodDescriptor,
    principal: unknown,
  ) {
    super();
    this.#env = env;
    this.#req = req;
    this.#res = res;
    this.#method = method;
    this.#principal = principal;
    this.readBody(req, env.body);
  }

  protected bodyFailed(failure: HttpFailure): void {
    sendFailure(this.#env, this.#res, failure);
  }

  protected bodyRead(raw: Buffer): void {
    const env = this.#env;
    let params: unknown;
    try {
      params = parseRestBody(raw, env.body.maxDepth);
    } catch (error) {
      sendFailure(env, this.#res, error);
      return;
    }
    const scope = new InstanceScope();
    const call = env.calls.start(this.#res);
    const invocation = new HttpInvocation(
      this.#method,
      params,
      this.#principal,
      scope,
      call,
      this.#req,
    );
    let outcome: JsonValue | undefined | Promise<JsonValue | undefined>;
    try {
      outcome = env.dispatcher.invokeDirect(invocation);
    } catch (error) {
      this.#failed(call, scope, error);
      return;
    }
    if (!(outcome instanceof Promise)) this.#answered(call, scope, outcome);
    else {
      outcome.then(
        (result) => this.#answered(call, scope, result),
        (error: unknown) => this.#failed(call, scope, error),
      );
    }
  }

  /** The result, or 204 for void. An answer deeper than the limit is not sent: 500, logged. */
  #answered(call: TrackedCall, scope: InstanceScope, result: JsonValue | undefined): void {
    try {
      if (this.#method.returns === undefined) sendNoContent(this.#res);
      else sendJsonText(this.#res, 200, stringifyJson(result ?? null, this.#env.body.maxDepth));
    } catch (error) {
      this.#failed(call, scope, error);
      return;
    }
    this.#done(call, scope);
  }

  #failed(call: TrackedCall, scope: InstanceScope, error: unknown): void {
    this.#done(call, scope);
    sendFailure(this.#env, this.#res, error);
  }

  #done(call: TrackedCall, scope: InstanceScope): void {
    this.#env.calls.finish(call);
    scope.dispose();
  }
}
