/** What the HTTP handlers (REST, `/rpc`, OpenAPI) share: the dispatcher, options and call tracking. */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { ErrorCode } from "../protocol/codes.js";
import { RpcError } from "../protocol/errors.js";
import { problemFromCode, problemFromError } from "../protocol/problem.js";
import { AuthenticationRefused, defaultChallenge } from "./auth.js";
import { HttpFailure, type BodyLimits } from "./body.js";
import type { MethodDescriptor } from "../descriptors.js";
import type { CallTracker, TrackedCall } from "./call-tracker.js";
import type { Dispatcher, Invocation } from "./dispatcher.js";
import type { MountedRoutes } from "./mounted-routes.js";
import type { InstanceScope } from "./registry.js";
import type { ResolvedServerOptions } from "./options.js";
import { sendProblem } from "./respond.js";

export interface HttpEnv {
  readonly dispatcher: Dispatcher;
  readonly options: ResolvedServerOptions;
  readonly calls: CallTracker;
  /** Size and time limits of request bodies. */
  readonly body: BodyLimits;
  /** The OpenAPI document of the registered services. */
  openApi(): unknown;
  /** Routes of optional features (metrics, inspector), looked at before REST paths. */
  readonly routes: MountedRoutes;
}

/** An HTTP call for the dispatcher: its signal is made only if the implementation reads it. */
export class HttpInvocation implements Invocation {
  readonly transport = "http";
  readonly endpoint = "rest";
  readonly #call: TrackedCall;
  readonly #req: IncomingMessage;

  constructor(
    readonly method: MethodDescriptor,
    readonly params: unknown,
    readonly principal: unknown,
    readonly scope: InstanceScope,
    call: TrackedCall,
    req: IncomingMessage,
  ) {
    this.#call = call;
    this.#req = req;
  }

  get remoteAddress(): string | undefined {
    return this.#req.socket.remoteAddress;
  }

  metadata(): Record<string, string> {
    return headerMetadata(this.#req.headers);
  }

  get signal(): AbortSignal {
    return this.#call.signal;
  }

  get aborted(): boolean {
    return this.#call.aborted;
  }
}

/** Request headers as interceptor metadata: one string per name (repeated ones joined). */
export function headerMetadata(headers: IncomingHttpHeaders): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    metadata[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return metadata;
}

/** Answers any failure of an HTTP handler with a problem document; nothing else leaks. */
export function sendFailure(
  env: HttpEnv,
  res: ServerResponse,
  error: unknown,
  headers?: Record<string, string>,
): void {
  if (error instanceof HttpFailure) {
    sendProblem(res, problemFromCode(error.code, error.detail, error.status), headers);
  } else if (error instanceof RpcError) {
    const problem = problemFromError(error);
    const retry =
      problem.retryAfterMs === undefined
        ? headers
        : {
            ...headers,
            "retry-after": String(Math.max(1, Math.ceil(problem.retryAfterMs / 1000))),
          };
    sendProblem(res, problem, withChallenge(env, res, problem.status, error, retry));
  } else {
    const incident = crypto.randomUUID();
    env.options.logger.error("HTTP request failed", {
      incident,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    sendProblem(
      res,
      { ...problemFromCode(ErrorCode.InternalError, "Internal error"), incident },
      headers,
    );
  }
}

/**
 * `headers` plus, on a 401, the `WWW-Authenticate` challenge RFC 9110 requires: the one
 * `authenticate` gave, else the `challenge` option's.
 */
export function withChallenge(
  env: HttpEnv,
  res: ServerResponse,
  status: number,
  error: RpcError,
  headers?: Record<string, string>,
): Record<string, string> | undefined {
  if (status !== 401) return headers;
  const challenge =
    error instanceof AuthenticationRefused && error.challenge !== undefined
      ? error.challenge
      : defaultChallenge(env.options, res.req);
  return { ...headers, "www-authenticate": challenge };
}
