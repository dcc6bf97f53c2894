/**
 * Routes HTTP requests under `{base}`: `/rpc`, `/openapi.json`, `/ws` (without an upgrade),
 * `/{Service}/{method}`, and the routes optional features mount (mounted-routes.ts). A
 * request outside `{base}` goes to `next` when the server shares its port with an app. With
 * `authenticate` set, every request it routes is authenticated before anything else is
 * looked at, so an anonymous client cannot tell a method from a typo (a mounted route may
 * be public).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ErrorCode } from "../protocol/codes.js";
import { problemFromCode } from "../protocol/problem.js";
import { authenticateRequest } from "./auth.js";
import { sendFailure, type HttpEnv } from "./http-env.js";
import { handleJsonRpc, refuseJsonRpc } from "./jsonrpc-http.js";
import { handleOpenApi } from "./openapi-http.js";
import { handleRest, isRestPath } from "./rest.js";
import { sendProblem } from "./respond.js";

export type NextHandler = () => void;

/** One route: `path` is below `{base}`, `principal` what `authenticate` returned. */
export type RouteHandler = (
  env: HttpEnv,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  principal: unknown,
) => Promise<void> | void;

/** The path of `req.url` below `prefix` (`/rpc`, `/a.B/m`), or undefined when outside it. */
export function pathBelow(prefix: string, url: string | undefined): string | undefined {
  const raw = url ?? "/";
  const query = raw.indexOf("?");
  const path = query === -1 ? raw : raw.slice(0, query);
  if (prefix === "") return path;
  if (path === prefix) return "/";
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : undefined;
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
    const env = this.#env;
    const path = pathBelow(env.options.prefix, req.url);
    if (path === undefined && next !== undefined) return next();
    if (this.#env.options.cors?.handle(req, res) === true) return;
    if (this.#closing) {
      const problem = problemFromCode(
        ErrorCode.ConnectionClosed,
        "The server is shutting down",
        503,
      );
      return sendProblem(res, problem, { connection: "close" });
    }
    const mounted = path === undefined ? undefined : env.routes.find(path);
    const handler = mounted?.handle ?? (path === undefined ? undefined : routeOf(path));
    if (handler === undefined && next !== undefined) return next();
    try {
      const route = handler ?? notFound;
      const outcome =
        env.options.authenticate === undefined ||
        mounted?.public === true ||
        (route === handleOpenApi && env.options.openApi.public)
          ? route(env, req, res, path ?? "", undefined)
          : authenticateThen(env, req, res, path ?? "", route);
      outcome?.catch((error: unknown) => sendFailure(env, res, error));
    } catch (error) {
      sendFailure(env, res, error);
    }
  }
}

/** The handler of `path`; undefined when nothing is there. */
function routeOf(path: string): RouteHandler | undefined {
  if (path === "/rpc") return handleJsonRpc;
  if (path === "/openapi.json") return handleOpenApi;
  if (path === "/ws") return upgradeRequired;
  return isRestPath(path) ? handleRest : undefined;
}

/** Runs `route` once the request is authenticated; a refusal is answered in the route's form. */
function authenticateThen(
  env: HttpEnv,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  route: RouteHandler,
): Promise<void> {
  return authenticateRequest(env.options, req).then(
    (principal) => route(env, req, res, path, principal),
    (error: unknown) =>
      route === handleJsonRpc ? refuseJsonRpc(env, res, error) : sendFailure(env, res, error),
  );
}

function notFound(_env: HttpEnv, _req: IncomingMessage, res: ServerResponse, path: string): void {
  sendProblem(res, problemFromCode(ErrorCode.MethodNotFound, `Nothing at ${path}`));
}

/** `GET {base}/ws` without an upgrade: 426 says how to get one (RFC 9110 §15.5.22). */
function upgradeRequired(
  env: HttpEnv,
  _req: IncomingMessage,
  res: ServerResponse,
  path: string,
): void {
  const detail = `${env.options.prefix}${path} is the WebSocket endpoint: send an Upgrade: websocket request`;
  sendProblem(res, problemFromCode(ErrorCode.InvalidRequest, detail, 426), {
    upgrade: "websocket",
  });
}
