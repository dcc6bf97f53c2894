/**
 * What two nodes send each other to carry a session across nodes (see session-relays.ts):
 * the node holding the client's socket ("relaying node") asks the node holding the session
 * ("owning node") to resume it, then each forwards the other's frames, in order, through
 * its inbox. Read defensively, like every inbox payload.
 */
import type { Frame } from "../../session/frame.js";

/**
 * One WebSocket frame in a relay message: text, or bytes in base64 (the UTF-8 of a JSON
 * text frame, or a MessagePack frame under `svc.msgpack`).
 */
export type RelayedFrame = string | { readonly b: string };

// ---- from the relaying node to the owning node --------------------------------------

/** A client asked the relaying node to resume a session of the owning node. */
export interface RelayResume {
  readonly t: "relay-resume";
  readonly relay: string;
  readonly from: string;
  readonly token: string;
  /** The last seq the client received. */
  readonly ack: number;
  /** The `$/session` request's id, for the answer. */
  readonly requestId: string | number | null;
  /** The subprotocol of the client's socket (absent: `svc.json`). */
  readonly encoding?: string;
  /** The resuming upgrade's principal, as JSON (absent when undefined). */
  readonly principal?: unknown;
  readonly address: string;
}

/** Frames the client sent, in order. */
export interface RelayUp {
  readonly t: "relay-up";
  readonly relay: string;
  readonly from: string;
  readonly frames: readonly RelayedFrame[];
}

/** The client's socket closed with `code` (1008 `overloaded`: it did not read). */
export interface RelayGone {
  readonly t: "relay-gone";
  readonly relay: string;
  readonly from: string;
  readonly code: number;
  readonly overloaded?: boolean;
}

// ---- from the owning node to the relaying node --------------------------------------

/** The session is resumed: the answer and the replay follow as frames. */
export interface RelayResumed {
  readonly t: "relay-resumed";
  readonly relay: string;
}

/** The session cannot be resumed (`reason` as in a `$/session` answer). */
export interface RelayRefused {
  readonly t: "relay-refused";
  readonly relay: string;
  readonly reason: string;
}

/** Frames for the client, in order. */
export interface RelayDown {
  readonly t: "relay-down";
  readonly relay: string;
  readonly frames: readonly RelayedFrame[];
}

/** Close the client's socket with `code` and `reason`. */
export interface RelayClose {
  readonly t: "relay-close";
  readonly relay: string;
  readonly code: number;
  readonly reason: string;
}

export type RelayMessage =
  RelayResume | RelayUp | RelayGone | RelayResumed | RelayRefused | RelayDown | RelayClose;

const relayIdPattern = /^[A-Za-z0-9_-]{1,64}$/;
const nodePattern = /^[A-Za-z0-9_.:-]{1,128}$/;

/** A close code as a socket reports it (1005 and 1006 included). */
function isCloseCode(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 1000 && (value as number) <= 4999;
}

/** A close code a socket may send (RFC 6455 7.4). */
function isSendableCloseCode(value: unknown): value is number {
  if (!isCloseCode(value)) return false;
  return (value >= 1000 && value <= 1014 && ![1004, 1005, 1006].includes(value)) || value >= 3000;
}

/** A close reason that fits a close frame (at most 123 bytes): printable ASCII. */
function closeReason(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, "?").slice(0, 120);
}

function isFrames(value: unknown): boolean {
  if (!Array.isArray(value) || value.length > 10_000) return false;
  return value.every(
    (frame) =>
      typeof frame === "string" ||
      (typeof frame === "object" &&
        frame !== null &&
        typeof (frame as Record<string, unknown>)["b"] === "string"),
  );
}

/** A relay message from an inbox payload already parsed to `message`; undefined if not one. */
export function readRelayMessage(message: Record<string, unknown>): RelayMessage | undefined {
  const { t, relay, from } = message;
  if (typeof relay !== "string" || !relayIdPattern.test(relay)) return undefined;
  const sender = typeof from === "string" && nodePattern.test(from);
  switch (t) {
    case "relay-resume": {
      const { token, ack, requestId, address } = message;
      if (!sender || typeof token !== "string" || token.length > 512) return undefined;
      if (!Number.isSafeInteger(ack) || (ack as number) < 0) return undefined;
      if (requestId !== null && typeof requestId !== "string" && typeof requestId !== "number") {
        return undefined;
      }
      if (typeof address !== "string") return undefined;
      if (message["encoding"] !== undefined && typeof message["encoding"] !== "string") {
        return undefined;
      }
      return message as unknown as RelayResume;
    }
    case "relay-up":
      return sender && isFrames(message["frames"]) ? (message as unknown as RelayUp) : undefined;
    case "relay-gone":
      return sender && isCloseCode(message["code"]) ? (message as unknown as RelayGone) : undefined;
    case "relay-resumed":
      return { t, relay };
    case "relay-refused":
      return typeof message["reason"] === "string"
        ? { t, relay, reason: message["reason"].slice(0, 64) }
        : undefined;
    case "relay-down":
      return isFrames(message["frames"]) ? (message as unknown as RelayDown) : undefined;
    case "relay-close":
      return isSendableCloseCode(message["code"]) && typeof message["reason"] === "string"
        ? { t, relay, code: message["code"], reason: closeReason(message["reason"]) }
        : undefined;
    default:
      return undefined;
  }
}

/** A frame as it travels in a relay message. */
export function toRelayed(frame: Frame): RelayedFrame {
  return typeof frame === "string" ? frame : { b: Buffer.from(frame).toString("base64") };
}

/** A relayed frame as the socket writes it. */
export function fromRelayed(frame: RelayedFrame): Frame {
  return typeof frame === "string" ? frame : new Uint8Array(Buffer.from(frame.b, "base64"));
}

/** Bytes of a frame as the relay batches count them. */
export function relayedBytes(frame: RelayedFrame): number {
  return typeof frame === "string" ? frame.length : frame.b.length;
}
