/** Writing answers: JSON bodies, problem documents, empty 204s. Nothing else writes to `res`. */
import type { ServerResponse } from "node:http";
import type { ProblemDocument } from "../protocol/problem.js";
import { problemContentType } from "../protocol/problem.js";
import { announcesBody } from "./body.js";

type Headers = Record<string, string>;

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers?: Headers,
): void {
  if (res.headersSent || res.destroyed) return;
  // One writeHead call with a flat [name, value, …] list: node:http's fast path (no header
  // object to build and walk), and it still merges headers set earlier (CORS).
  const list: (string | number)[] = [
    "content-type",
    contentType,
    "content-length",
    Buffer.byteLength(body),
  ];
  if (headers !== undefined) {
    for (const name in headers) list.push(name, headers[name]!);
  }
  if (headers?.["connection"] === undefined && refusesUnreadBody(res)) {
    list.push("connection", "close");
  }
  res.writeHead(status, list);
  res.end(body);
}

/**
 * An answer written before the request's body was read (a refusal: 401, 404, 413, 415 …)
 * closes the connection. Kept alive, node:http would read and discard the whole body to
 * reach the next request, however large; closed, it reads no more than is in flight.
 */
function refusesUnreadBody(res: ServerResponse): boolean {
  const req = res.req;
  return req !== undefined && !req.complete && announcesBody(req);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers?: Headers,
): void {
  send(res, status, "application/json", JSON.stringify(body), headers);
}

/** A JSON body encoded already (within the nesting limit, see json-text.ts). */
export function sendJsonText(res: ServerResponse, status: number, text: string): void {
  send(res, status, "application/json", text);
}

export function sendProblem(
  res: ServerResponse,
  problem: ProblemDocument,
  headers?: Headers,
): void {
  send(res, problem.status, problemContentType, JSON.stringify(problem), headers);
}

export function sendNoContent(res: ServerResponse): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(204);
  res.end();
}
