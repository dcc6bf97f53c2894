/**
 * The `$/session` request and its answer, and `$/ack`: the three messages that carry no
 * `seq`. Shapes and parsing only; what the server and the client do with them is theirs.
 */

import type { WireEncoding } from "../encoding/types.js";

export const sessionMethod = "$/session";

/**
 * The query parameter a client adds to the upgrade URL when it reconnects to resume a
 * session, so that a server can rate-limit resumes apart from new connections.
 */
export const resumeHint = "svcgen-resume";

/** `url` with the resume hint (unchanged if it is not a URL). */
export function withResumeHint(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.searchParams.set(resumeHint, "1");
    return parsed.toString();
  } catch {
    return url;
  }
}
export const ackMethod = "$/ack";

export interface SessionRequest {
  /** The token of the session to resume; null opens a new one. */
  readonly resume: string | null;
  /** The last seq received from the other side (0 for none). */
  readonly ack: number;
  readonly features: readonly string[];
}

export interface SessionAnswer {
  readonly session: string;
  readonly resumed: boolean;
  /** The last seq the answering side received from the asking one. */
  readonly ack: number;
  readonly windowMs: number;
  readonly features: readonly string[];
  /** Present when a resume was asked for and is impossible. */
  readonly reason?: string;
}

function isSeq(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** The params of a `$/session` request, or undefined when malformed. */
export function parseSessionRequest(params: unknown): SessionRequest | undefined {
  if (typeof params !== "object" || params === null || Array.isArray(params)) return undefined;
  const { resume = null, ack = 0, features = [] } = params as Record<string, unknown>;
  if (resume !== null && (typeof resume !== "string" || resume.length > 256)) return undefined;
  if (!isSeq(ack) || !Array.isArray(features)) return undefined;
  const named = features.filter((feature): feature is string => typeof feature === "string");
  return { resume, ack, features: named.slice(0, 16) };
}

/** The result of a `$/session` answer, or undefined when malformed. */
export function parseSessionAnswer(result: unknown): SessionAnswer | undefined {
  if (typeof result !== "object" || result === null) return undefined;
  const { session, resumed, ack, windowMs, features, reason } = result as Record<string, unknown>;
  if (typeof session !== "string" || typeof resumed !== "boolean" || !isSeq(ack)) return undefined;
  return {
    session,
    resumed,
    ack,
    windowMs: typeof windowMs === "number" ? windowMs : 0,
    features: Array.isArray(features) ? features.filter((f) => typeof f === "string") : [],
    ...(typeof reason === "string" && { reason }),
  };
}

/** The seq of a `$/ack` notification's params, or undefined. */
export function parseAck(params: unknown): number | undefined {
  const seq = (params as Record<string, unknown> | null | undefined)?.["seq"];
  return isSeq(seq) ? seq : undefined;
}

/** The `$/ack` notification for `seq`, as JSON text. */
export function ackFrame(seq: number): string {
  return `{"jsonrpc":"2.0","method":"$/ack","params":{"seq":${seq}}}`;
}

/** The `$/ack` notification for `seq`, as a frame of `encoding`. */
export function ackFrameIn(encoding: WireEncoding, seq: number): string | Uint8Array {
  if (encoding.frameType === "text") return ackFrame(seq);
  return encoding.encode({ jsonrpc: "2.0", method: ackMethod, params: { seq } });
}
