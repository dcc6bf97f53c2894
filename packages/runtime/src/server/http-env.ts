/** What the HTTP handlers (REST, `/rpc`, OpenAPI) share: the dispatcher, options and call tracking. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ErrorCode } from "../protocol/codes.js";
import { RpcError } from "../protocol/errors.js";
import { problemFromCode, problemFromError } from "../protocol/problem.js";
import { HttpFailure } from "./body.js";
import type { MethodDescriptor } from "../descriptors.js";
import type { CallTracker, TrackedCall } from "./call-tracker.js";
import type { Dispatcher, Invocation } from "./dispatcher.js";
import type { InstanceScope } from "./registry.js";
import type { ResolvedServerOptions } from "./options.js";
import { sendProblem } from "./respond.js";

export interface HttpEnv {
  readonly dispatcher: Dispatcher;
  readonly options: ResolvedServerOptions;
  readonly calls: CallTracker;
  /** The OpenAPI document of the registered services. */
  openApi(): unknown;
}

/** An HTTP call for the dispatcher: its signal is made only if the implementation reads it. */
export class HttpInvocation implements Invocation {
  readonly transport = "http";
  readonly #call: TrackedCall;

  constructor(
    readonly method: MethodDescriptor,
    readonly params: unknown,
    readonly principal: unknown,
    readonly scope: InstanceScope,
    call: TrackedCall,
  ) {
    this.#call = call;
  }

  get signal(): AbortSignal {
    return this.#call.signal;
  }

  get aborted(): boolean {
    return this.#call.aborted;
  }
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
    sendProblem(res, problemFromError(error), headers);
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

/** After refusing a body unread, the connection cannot be reused: close it once answered. */
export function closeAfterResponse(req: IncomingMessage, res: ServerResponse): void {
  if (!res.headersSent) res.setHeader("connection", "close");
  res.once("finish", () => req.socket.end());
}
