/** Runs the `authenticate` hook the same way for HTTP requests and WebSocket upgrades. */
import type { IncomingMessage } from "node:http";
import { ErrorCode } from "../protocol/codes.js";
import { RpcError } from "../protocol/errors.js";
import type { ResolvedServerOptions } from "./options.js";

/**
 * A request `authenticate` refused: -32004 (401) or -32005 (403). A 401 carries the
 * `WWW-Authenticate` challenge in `challenge` (RFC 9110 requires one); it never travels in
 * the error's data.
 */
export class AuthenticationRefused extends RpcError {
  constructor(
    code: typeof ErrorCode.Unauthenticated | typeof ErrorCode.Forbidden,
    message: string,
    readonly challenge?: string,
  ) {
    super(code, message);
  }
}

/**
 * The request's principal (`undefined` when the server has no `authenticate`). Rejects with
 * AuthenticationRefused -32004 when refused, or -32005 when the hook threw that code itself;
 * the hook's own exception never reaches the client (it is logged as a warning instead).
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
      throw new AuthenticationRefused(ErrorCode.Forbidden, error.message || "Forbidden");
    }
    if (error instanceof RpcError && error.code === ErrorCode.Unauthenticated) {
      const message = error.message || "Unauthenticated";
      throw unauthenticated(options, req, message, challengeIn(error.data));
    }
    if (!(error instanceof RpcError)) {
      options.logger.warn("authenticate refused a request", { reason: String(error) });
    }
    throw unauthenticated(options, req, "Unauthenticated");
  }
  if (principal === undefined || principal === null) {
    throw unauthenticated(options, req, "Unauthenticated");
  }
  return principal;
}

function unauthenticated(
  options: ResolvedServerOptions,
  req: IncomingMessage,
  message: string,
  challenge?: string,
): AuthenticationRefused {
  return new AuthenticationRefused(
    ErrorCode.Unauthenticated,
    message,
    challenge ?? defaultChallenge(options, req),
  );
}

/**
 * The challenge of a 401 that `authenticate` did not phrase (an implementation throwing
 * -32004, say): the `challenge` option's. A throwing option falls back to `Bearer`.
 */
export function defaultChallenge(options: ResolvedServerOptions, req: IncomingMessage): string {
  try {
    return safeHeader(options.challenge(req)) ?? "Bearer";
  } catch {
    return "Bearer";
  }
}

/** `data.challenge` of the hook's RpcError, when it is a string fit for a header. */
function challengeIn(data: unknown): string | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const challenge = (data as { challenge?: unknown }).challenge;
  return typeof challenge === "string" ? safeHeader(challenge) : undefined;
}

/** A header value without control characters (a CR or LF would split the response). */
function safeHeader(value: unknown): string | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  return /^[\t\x20-\x7e\x80-\xff]+$/.test(value) ? value : undefined;
}
