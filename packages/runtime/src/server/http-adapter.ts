/**
 * Routes HTTP requests under `{base}`: `/rpc`, `/openapi.json`, `/{Service}/{method}`. A
 * request outside `{base}` goes to `next` when the server shares its port with an app.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ErrorCode } from "../protocol/codes.js";
import { problemFromCode } from "../protocol/problem.js";
import { sendFailure, type HttpEnv } from "./http-env.js";
import { handleJsonRpc } from "./jsonrpc-http.js";
import { handleOpenApi } from "./openapi-http.js";
import { handleRest } from "./rest.js";
import { sendProblem } from "./respond.js";

export type NextHandler = () => void;

/** The path of `req.url` below `prefix` (`/rpc`, `/a.B/m`), or undefined when outside it. */
export function pathBelow(prefix: string, url: string | undefined): string | undefined {
  const raw = url ?? "/";
  const query = raw.indexOf("?");
  const path = query === -1 ? raw : raw.slice(0, query);
  if (prefix === "") return path;
  if (path === prefix) return "/";
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : undefined;
}

function decodeSegment(segment: string): string | undefined {
  if (!segment.includes("%")) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

export class HttpAdapter {
  readonly #env: HttpEnv;
  #closing = false;

  constructor(env: HttpEnv) {
    this.#env = env;
  }

  /** From now on, answer new requests with 503 and close their connections. */
  startClosing(): void {
    this.#closing = true;
  }

  handle(req: IncomingMessage, res: ServerResponse, next?: NextHandler): void {
    const path = pathBelow(this.#env.options.prefix, req.url);
    if (path === undefined && next !== undefined) return next();
    if (this.#env.options.cors?.handle(req, res) === true) return;
    if (this.#closing) {
      res.setHeader("connection", "close");
      const problem = problemFromCode(
        ErrorCode.ConnectionClosed,
        "The server is shutting down",
        503,
      );
      return sendProblem(res, problem);
    }
    try {
      this.#route(req, res, path ?? "", next)?.catch((error: unknown) =>
        sendFailure(this.#env, res, error),
      );
    } catch (error) {
      sendFailure(this.#env, res, error);
    }
  }

  /** Not async itself: a request goes straight on to its handler, without an extra promise. */
  #route(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    next?: NextHandler,
  ): Promise<void> | void {
    if (path === "/rpc") return handleJsonRpc(this.#env, req, res);
    if (path === "/openapi.json") return handleOpenApi(this.#env, req, res);
    const segments = path.split("/");
    if (segments.length === 3 && segments[0] === "") {
      const service = decodeSegment(segments[1]!);
      const method = decodeSegment(segments[2]!);
      if (service !== undefined && method !== undefined && service !== "" && method !== "") {
        return handleRest(this.#env, req, res, service, method);
      }
    }
    if (next !== undefined) return next();
    sendProblem(res, problemFromCode(ErrorCode.MethodNotFound, `Nothing at ${path}`));
  }
}
