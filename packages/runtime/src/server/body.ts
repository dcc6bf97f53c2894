/**
 * Reading an HTTP request body as JSON with the limits enforced while it streams: the size
 * limit stops reading at the limit (a huge body is never buffered), the content type is
 * checked before any byte is read, and invalid UTF-8 is refused rather than replaced.
 */
import { isAscii } from "node:buffer";
import type { IncomingMessage } from "node:http";
import { ErrorCode } from "../protocol/codes.js";
import { parseJsonText } from "../protocol/json-text.js";
import type { BodyDeadlines } from "./body-deadlines.js";

/** A failure of the HTTP layer itself, before the dispatcher is reached. */
export class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    readonly detail: string,
  ) {
    super(detail);
  }
}

/**
 * A parsed body. `tooDeep`: it nested deeper than `limits.maxDepth`, and the parts beyond
 * were cut out (see json-text.ts): REST refuses it, `/rpc` answers each request in it.
 */
export type JsonBody =
  | { readonly empty: true }
  | { readonly empty: false; readonly value: unknown; readonly tooDeep: boolean };

/** `application/json`, optionally with `charset=utf-8`; anything else is refused with 415. */
export function checkJsonContentType(req: IncomingMessage, hasBody: boolean): void {
  const encoding = req.headers["content-encoding"];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== "identity") {
    // Compressed bodies would be parsed as garbage; say what is wrong instead.
    throw new HttpFailure(
      415,
      ErrorCode.InvalidRequest,
      `Content-Encoding ${encoding} is not supported`,
    );
  }
  const header = req.headers["content-type"];
  if (header === "application/json") return;
  if (header === undefined) {
    if (!hasBody) return;
    throw new HttpFailure(415, ErrorCode.InvalidRequest, "Content-Type must be application/json");
  }
  const [mediaType, ...parameters] = header.split(";").map((part) => part.trim().toLowerCase());
  const charset = parameters
    .find((part) => part.startsWith("charset="))
    ?.slice(8)
    .replace(/"/g, "");
  if (
    mediaType !== "application/json" ||
    (charset !== undefined && charset !== "utf-8" && charset !== "utf8")
  ) {
    throw new HttpFailure(
      415,
      ErrorCode.InvalidRequest,
      `Content-Type must be application/json, not ${header}`,
    );
  }
}

/** True when the request announces a body (a length above 0 or a chunked transfer). */
export function announcesBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  if (length !== undefined) return Number(length) > 0;
  return req.headers["transfer-encoding"] !== undefined;
}

function tooLarge(maxBytes: number): HttpFailure {
  return new HttpFailure(
    413,
    ErrorCode.LimitExceeded,
    `Request body is larger than ${maxBytes} bytes`,
  );
}

/** What bounds the reading of a body: its size, its time (`deadlines`), its nesting. */
export interface BodyLimits {
  readonly maxBytes: number;
  /** `limits.maxDepth` (see json-text.ts). */
  readonly maxDepth: number;
  readonly timeoutMs: number;
  readonly deadlines: BodyDeadlines;
}

function tooSlow(timeoutMs: number): HttpFailure {
  return new HttpFailure(
    408,
    ErrorCode.TimedOut,
    `Request body did not arrive within ${timeoutMs} ms`,
  );
}

/**
 * The raw body, at most `limits.maxBytes`; rejects with 413 as soon as the limit is passed,
 * and with 408 when the body is not complete by its deadline.
 */
export function readBody(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  const { maxBytes, deadlines } = limits;
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge(maxBytes));
  return new Promise((resolve, reject) => {
    // Most bodies arrive in one chunk: the array is made for a second one only.
    let first: Buffer | undefined;
    let more: Buffer[] | undefined;
    let size = 0;
    const cleanup = () => {
      deadlines.cancel(onTimeout);
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
    };
    // Reading stops where it is: the answer closes the connection (see respond.ts).
    const onTimeout = () => {
      cleanup();
      req.pause();
      reject(tooSlow(limits.timeoutMs));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        // Stop pulling bytes off the socket: the rest of the body is never read.
        req.pause();
        reject(tooLarge(maxBytes));
        return;
      }
      if (first === undefined) first = chunk;
      else (more ??= [first]).push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(more !== undefined ? Buffer.concat(more, size) : (first ?? Buffer.alloc(0)));
    };
    // The client went away mid-body: nobody reads the answer, and it is not a server fault.
    const onError = () => {
      cleanup();
      reject(new HttpFailure(400, ErrorCode.InvalidRequest, "Request body was cut off"));
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    deadlines.watch(onTimeout);
  });
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Parses a body as JSON: empty (only whitespace) is `{ empty: true }`; bad text is 400. */
export function parseJsonBody(raw: Buffer, maxDepth: number): JsonBody {
  let text: string;
  if (isAscii(raw)) {
    // Plain ASCII (nearly every JSON body) is valid UTF-8 as is: no strict decoding needed.
    text = raw.toString("latin1");
  } else {
    try {
      text = strictUtf8.decode(raw);
    } catch {
      throw new HttpFailure(400, ErrorCode.ParseError, "Request body is not valid UTF-8");
    }
  }
  if (text.length === 0 || (mayBeSpace(text.charCodeAt(0)) && text.trim() === "")) {
    return { empty: true };
  }
  try {
    const { value, tooDeep } = parseJsonText(text, maxDepth);
    return { empty: false, value, tooDeep };
  } catch {
    throw new HttpFailure(400, ErrorCode.ParseError, "Request body is not JSON: malformed JSON");
  }
}

/** Whether `trim()` could remove this first character: a `{`, `[` or digit spares the scan. */
function mayBeSpace(code: number): boolean {
  return code <= 0x20 || code >= 0x7f;
}

/** The refusal of a REST body nested deeper than the limit. */
export function nestedTooDeeply(maxDepth: number): HttpFailure {
  return new HttpFailure(
    400,
    ErrorCode.InvalidParams,
    `Invalid params: nested too deeply (more than ${maxDepth} levels)`,
  );
}

/** Content type check, bounded read and parse, in that order. */
export function readJsonBody(req: IncomingMessage, limits: BodyLimits): Promise<JsonBody> {
  try {
    checkJsonContentType(req, announcesBody(req));
  } catch (error) {
    return Promise.reject(error);
  }
  return readBody(req, limits).then((raw) => parseJsonBody(raw, limits.maxDepth));
}
