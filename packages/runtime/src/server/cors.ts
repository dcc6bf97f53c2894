/**
 * Cross-origin HTTP calls (the `cors` option of RpcServer, off by default): a page served
 * from another origin may call REST, `/rpc` and `/openapi.json` when its origin is allowed.
 * Preflight requests (`OPTIONS` with `Access-Control-Request-Method`) are answered here,
 * before routing; every other answer under `{base}` carries `Vary: Origin` and, for an
 * allowed origin, `Access-Control-Allow-Origin`. WebSocket upgrades are not governed by CORS
 * in browsers; check `req.headers.origin` in `authenticate` to restrict them.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ErrorCode } from "../protocol/codes.js";
import { problemFromCode } from "../protocol/problem.js";
import { sendProblem } from "./respond.js";

export interface CorsOptions {
  /**
   * The origins allowed to call, each exactly as browsers send it (`https://app.example.com`,
   * `http://localhost:5173`), `"*"` for any; or a function asked with each request's origin.
   */
  readonly origins: readonly string[] | ((origin: string) => boolean);
  /**
   * Request headers a page may send besides the CORS-safelisted ones. Default: whatever the
   * preflight asks for (an allowed origin may send any header, e.g. `authorization`).
   */
  readonly allowHeaders?: readonly string[];
  /** Response headers a page may read besides the safelisted ones. Default none. */
  readonly exposeHeaders?: readonly string[];
  /** Let pages send cookies and HTTP auth (`credentials: "include"`). Default false. */
  readonly credentials?: boolean;
  /** How long browsers may cache a preflight answer, in seconds. Default 600. */
  readonly maxAgeSeconds?: number;
}

/** The methods routes under `{base}` answer. */
const allowedMethods = "GET, POST";

export class CorsPolicy {
  readonly #allows: (origin: string) => boolean;
  readonly #options: CorsOptions;

  constructor(options: CorsOptions) {
    this.#options = options;
    const { origins } = options;
    if (typeof origins !== "function" && !Array.isArray(origins)) {
      throw new TypeError("cors.origins must be a list of origins or a function");
    }
    if (typeof origins === "function") {
      this.#allows = (origin) => {
        try {
          return origins(origin) === true;
        } catch {
          return false;
        }
      };
    } else {
      const listed = new Set(origins);
      this.#allows = listed.has("*") ? () => true : (origin) => listed.has(origin);
    }
  }

  /**
   * Adds the CORS headers of `req` to `res`; answers a preflight itself. Returns true when
   * the request has been answered (a preflight), false when routing goes on.
   */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    res.setHeader("vary", "Origin");
    const origin = req.headers.origin;
    const preflight =
      req.method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined;
    if (origin === undefined) return false;
    if (!this.#allows(origin)) {
      if (!preflight) return false;
      const detail = `Origin ${origin} may not call this server`;
      sendProblem(res, problemFromCode(ErrorCode.Forbidden, detail, 403));
      return true;
    }
    res.setHeader("access-control-allow-origin", origin);
    if (this.#options.credentials === true) {
      res.setHeader("access-control-allow-credentials", "true");
    }
    if (!preflight) {
      const exposed = this.#options.exposeHeaders;
      if (exposed !== undefined && exposed.length > 0) {
        res.setHeader("access-control-expose-headers", exposed.join(", "));
      }
      return false;
    }
    res.setHeader("access-control-allow-methods", allowedMethods);
    const headers = this.#options.allowHeaders?.join(", ") ?? requestedHeaders(req);
    if (headers !== "") res.setHeader("access-control-allow-headers", headers);
    res.setHeader("access-control-max-age", String(this.#options.maxAgeSeconds ?? 600));
    res.writeHead(204);
    res.end();
    return true;
  }
}

function requestedHeaders(req: IncomingMessage): string {
  const asked = req.headers["access-control-request-headers"];
  return typeof asked === "string" ? asked : "";
}
