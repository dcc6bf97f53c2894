/** `GET {base}/openapi.json`: the OpenAPI document, built once per registration change. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ErrorCode } from "../protocol/codes.js";
import { problemFromCode } from "../protocol/problem.js";
import type { HttpEnv } from "./http-env.js";
import { sendJson, sendProblem } from "./respond.js";

export function handleOpenApi(env: HttpEnv, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== "GET" && req.method !== "HEAD") {
    const detail = `${req.method} is not allowed on /openapi.json; use GET`;
    sendProblem(res, problemFromCode(ErrorCode.InvalidRequest, detail, 405), {
      allow: "GET, HEAD",
    });
    return;
  }
  sendJson(res, 200, env.openApi());
}
