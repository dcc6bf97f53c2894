/** What the HTTP handlers (REST, `/rpc`, OpenAPI) share: the dispatcher, options and call tracking. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ErrorCode } from "../protocol/codes.js";
import { RpcError } from "../protocol/errors.js";
import { problemFromCode, problemFromError } from "../protocol/problem.js";
import { HttpFailure } from "./body.js";
import type { CallTracker } from "./call-tracker.js";
import type { Dispatcher } from "./dispatcher.js";
import type { ResolvedServerOptions } from "./options.js";
import { sendProblem } from "./respond.js";

export interface HttpEnv {
  readonly dispatcher: Dispatcher;
  readonly options: ResolvedServerOptions;
  readonly calls: CallTracker;
  /** The OpenAPI document of the registered services. */
  openApi(): unknown;
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
