/** Runs the `authenticate` hook the same way for HTTP requests and WebSocket upgrades. */
import type { IncomingMessage } from "node:http";
import { ErrorCode } from "../protocol/codes.js";
import { RpcError } from "../protocol/errors.js";
import type { ResolvedServerOptions } from "./options.js";

/**
 * The request's principal (`undefined` when the server has no `authenticate`). Rejects with
 * RpcError -32004 when refused, or -32005 when the hook threw that code itself; the hook's
 * own exception never reaches the client (it is logged as a warning instead).
 */
export async function authenticateRequest(
  options: ResolvedServerOptions,
  req: IncomingMessage,
): Promise<unknown> {
  if (!options.authenticate) return undefined;
  let principal: unknown;
  try {
    principal = await options.authenticate(req);
  } catch (error) {
    // A refusal the hook spelled out itself keeps its message; anything else stays generic.
    if (error instanceof RpcError && error.code === ErrorCode.Forbidden) {
      throw new RpcError(ErrorCode.Forbidden, error.message || "Forbidden");
    }
    if (error instanceof RpcError && error.code === ErrorCode.Unauthenticated) {
      throw new RpcError(ErrorCode.Unauthenticated, error.message || "Unauthenticated");
    }
    if (!(error instanceof RpcError)) {
      options.logger.warn("authenticate refused a request", { reason: String(error) });
    }
    throw new RpcError(ErrorCode.Unauthenticated, "Unauthenticated");
  }
  if (principal === undefined || principal === null) {
    throw new RpcError(ErrorCode.Unauthenticated, "Unauthenticated");
  }
  return principal;
}
