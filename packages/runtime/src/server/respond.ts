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
  res.statusCode = status;
  res.setHeader("content-type", contentType);
  res.setHeader("content-length", Buffer.byteLength(body));
  if (headers) for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, "application/json", JSON.stringify(body));
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
  res.statusCode = 204;
  res.end();
}
