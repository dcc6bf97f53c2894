/** Writing answers: JSON bodies, problem documents, empty 204s. Nothing else writes to `res`. */
import type { ServerResponse } from "node:http";
import type { ProblemDocument } from "../protocol/problem.js";
import { problemContentType } from "../protocol/problem.js";

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers?: Record<string, string>,
): void {
  if (res.headersSent || res.destroyed) return;
  // One writeHead call: node:http's fast path, and it still merges headers set earlier.
  const own = { "content-type": contentType, "content-length": Buffer.byteLength(body) };
  res.writeHead(status, headers ? { ...own, ...headers } : own);
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, "application/json", JSON.stringify(body));
}

/** A JSON body encoded already (within the nesting limit, see json-text.ts). */
export function sendJsonText(res: ServerResponse, status: number, text: string): void {
  send(res, status, "application/json", text);
}

export function sendProblem(
  res: ServerResponse,
  problem: ProblemDocument,
  headers?: Record<string, string>,
): void {
  send(res, problem.status, problemContentType, JSON.stringify(problem), headers);
}

export function sendNoContent(res: ServerResponse): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(204);
  res.end();
}
