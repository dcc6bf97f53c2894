/**
 * Reading an HTTP request body as JSON with the limits enforced while it streams: the size
 * limit stops reading at the limit (a huge body is never buffered), the content type is
 * checked before any byte is read, and invalid UTF-8 is refused rather than replaced.
 */
import { isAscii } from "node:buffer";
import type { IncomingMessage } from "node:http";
import { ErrorCode } from "../protocol/codes.js";
import {
  nestedTooDeeply as textNestsTooDeeply,
  parseJsonText,
  type ParsedJson,
} from "../protocol/json-text.js";
import { WatchedDeadline, type BodyDeadlines } from "./body-deadlines.js";

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

/** The reader of a request's body, for the listeners below (they are shared, not per request). */
const readerOf = Symbol("svcgen.bodyReader");
type ReadRequest = IncomingMessage & { [readerOf]?: BodyReader | undefined };

function onBodyData(this: ReadRequest, chunk: Buffer): void {
  this[readerOf]?.receiveChunk(chunk);
}

function onBodyEnd(this: ReadRequest): void {
  this[readerOf]?.receiveEnd();
}

// The client went away mid-body: nobody reads the answer, and it is not a server fault.
function onBodyError(this: ReadRequest): void {
  this[readerOf]?.abandon(
    new HttpFailure(400, ErrorCode.InvalidRequest, "Request body was cut off"),
  );
}

/**
 * Reads one request body, at most `limits.maxBytes`, before its deadline, and hands it to
 * `bodyRead` — or the refusal to `bodyFailed` (413 as soon as the limit is passed, 408 when
 * the deadline passes first, 400 when the client goes away): exactly one of them, once. A
 * subclass is the per-request object of a handler, so that reading a body costs no promise
 * and no closure: the listeners are shared and find their reader on the request.
 */
export abstract class BodyReader extends WatchedDeadline {
  #req: ReadRequest | undefined;
  #limits: BodyLimits | undefined;
  // Most bodies arrive in one chunk: the array is made for a second one only.
  #first: Buffer | undefined;
  #more: Buffer[] | undefined;
  #size = 0;

  protected abstract bodyRead(raw: Buffer): void;
  protected abstract bodyFailed(failure: HttpFailure): void;

  /** Starts reading `req`; the outcome arrives through `bodyRead` or `bodyFailed`. */
  protected readBody(req: IncomingMessage, limits: BodyLimits): void {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limits.maxBytes) {
      this.bodyFailed(tooLarge(limits.maxBytes));
      return;
    }
    const reading = req as ReadRequest;
    this.#req = reading;
    this.#limits = limits;
    reading[readerOf] = this;
    reading.on("data", onBodyData);
    reading.on("end", onBodyEnd);
    reading.on("error", onBodyError);
    limits.deadlines.watch(this);
  }

  /** @internal (the shared listeners call these three) */
  receiveChunk(chunk: Buffer): void {
    this.#size += chunk.length;
    if (this.#size > this.#limits!.maxBytes) {
      // Stop pulling bytes off the socket: the rest of the body is never read.
      this.#req?.pause();
      this.abandon(tooLarge(this.#limits!.maxBytes));
      return;
    }
    if (this.#first === undefined) this.#first = chunk;
    else (this.#more ??= [this.#first]).push(chunk);
  }

  /** @internal */
  receiveEnd(): void {
    const raw =
      this.#more !== undefined
        ? Buffer.concat(this.#more, this.#size)
        : (this.#first ?? Buffer.alloc(0));
    this.#stop();
    this.bodyRead(raw);
  }

  /** @internal */
  abandon(failure: HttpFailure): void {
    this.#stop();
    this.bodyFailed(failure);
  }

  // Reading stops where it is: the answer closes the connection (see respond.ts).
  expire(): void {
    this.#req?.pause();
    this.abandon(tooSlow(this.#limits!.timeoutMs));
  }

  #stop(): void {
    const req = this.#req;
    if (req === undefined) return;
    this.#req = undefined;
    this.#limits!.deadlines.cancel(this);
    req.off("data", onBodyData);
    req.off("end", onBodyEnd);
    req.off("error", onBodyError);
    req[readerOf] = undefined;
    this.#first = undefined;
    this.#more = undefined;
  }
}

/** A body read into a promise (for handlers written with async/await). */
class PromisedBody extends BodyReader {
  readonly #resolve: (raw: Buffer) => void;
  readonly #reject: (failure: HttpFailure) => void;

  constructor(
    req: IncomingMessage,
    limits: BodyLimits,
    resolve: (raw: Buffer) => void,
    reject: (failure: HttpFailure) => void,
  ) {
    super();
    this.#resolve = resolve;
    this.#reject = reject;
    this.readBody(req, limits);
  }

  protected bodyRead(raw: Buffer): void {
    this.#resolve(raw);
  }

  protected bodyFailed(failure: HttpFailure): void {
    this.#reject(failure);
  }
}

/**
 * The raw body, at most `limits.maxBytes`; rejects with 413 as soon as the limit is passed,
 * and with 408 when the body is not complete by its deadline.
 */
export function readBody(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  return new Promise((resolve, reject) => new PromisedBody(req, limits, resolve, reject));
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** The body as text; undefined when it is empty (only whitespace). Invalid UTF-8 is 400. */
function bodyText(raw: Buffer): string | undefined {
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
    return undefined;
  }
  return text;
}

function malformed(): HttpFailure {
  return new HttpFailure(400, ErrorCode.ParseError, "Request body is not JSON: malformed JSON");
}

/** Parses a body as JSON: empty (only whitespace) is `{ empty: true }`; bad text is 400. */
export function parseJsonBody(raw: Buffer, maxDepth: number): JsonBody {
  const text = bodyText(raw);
  if (text === undefined) return { empty: true };
  try {
    const { value, tooDeep } = parseJsonText(text, maxDepth);
    return { empty: false, value, tooDeep };
  } catch {
    throw malformed();
  }
}

/**
 * A REST body's parameters: undefined when the body is empty; 400 when it is not UTF-8 or
 * not JSON, or nests deeper than `maxDepth` (-32602). The same outcomes as `parseJsonBody`,
 * without its result objects.
 */
export function parseRestBody(raw: Buffer, maxDepth: number): unknown {
  const text = bodyText(raw);
  if (text === undefined) return undefined;
  let parsed: ParsedJson;
  try {
    // Within the limit (every short text is), plain JSON.parse.
    if (!textNestsTooDeeply(text, maxDepth)) return JSON.parse(text);
    parsed = parseJsonText(text, maxDepth);
  } catch {
    throw malformed();
  }
  if (parsed.tooDeep) throw nestedTooDeeply(maxDepth);
  return parsed.value;
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
