/**
 * The seam between the transports and the bytes of a frame: a wire encoding turns one
 * JSON-RPC message (or a batch, an array of them) into a frame and back. The transports
 * pick one per connection (the WebSocket subprotocol) and never look inside a frame.
 */
import type { WireFlavor } from "../codec/flavor.js";
import type { ParsedJson } from "../protocol/json-text.js";
import { defaultMaxDepth } from "../protocol/json-text.js";

/** The WebSocket subprotocol that names each encoding (PROTOCOL.md, "Binary encoding"). */
export type EncodingName = "svc.json" | "svc.msgpack";

/** What kind of WebSocket frame carries the encoding: text for JSON, binary for MessagePack. */
export type FrameType = "text" | "binary";

/** The bounds every decoded frame is held to; the same numbers under every encoding. */
export interface DecodeLimits {
  /** Largest frame accepted, in bytes (a text frame: in UTF-16 code units, a lower bound). */
  readonly maxFrameBytes: number;
  /**
   * Deepest nesting of arrays and maps/objects in one frame, the message envelope included:
   * `{"params":[[1]]}` is 3 deep (the server's `limits.maxDepth`). Checked before anything
   * deep is built, so no input can make a decoder recurse further.
   */
  readonly maxDepth: number;
}

export const defaultDecodeLimits: DecodeLimits = {
  maxFrameBytes: 1024 * 1024,
  maxDepth: defaultMaxDepth,
};

/**
 * A decoded frame. When `tooDeep`, every part nested beyond `maxDepth` was replaced by
 * null, so the envelope still reads (the id, whether it is a request or an answer) and can
 * be answered precisely (-32602, "nested too deeply"), while nothing deep was ever built.
 */
export type DecodedFrame = ParsedJson;

/** Why a frame could not be turned into a value (or a value into a frame). */
export type FrameErrorReason =
  /** Not a well-formed frame of the encoding (JSON-RPC -32700 Parse error). */
  | "malformed"
  /** Larger than `maxFrameBytes` (WebSocket close 1009). */
  | "too-large"
  /** (encode) Nested deeper than `maxDepth`, or cyclic: the peer would refuse it. */
  | "too-deep"
  /** A text frame under a binary encoding or the reverse (WebSocket close 1003). */
  | "frame-type"
  /** A value with no form in the encoding (a function, a Map, an out-of-range bigint). */
  | "unencodable";

export class FrameError extends Error {
  readonly reason: FrameErrorReason;
  constructor(reason: FrameErrorReason, message: string) {
    super(message);
    this.name = "FrameError";
    this.reason = reason;
  }
}

/**
 * One wire encoding, bound to its limits. `decode` never returns a value deeper than
 * `limits.maxDepth` and throws only FrameError; `encode` throws only FrameError, and refuses
 * what the peer, holding the same limits, would refuse.
 */
export interface WireEncoding<Frame extends string | Uint8Array = string | Uint8Array> {
  readonly name: EncodingName;
  readonly frameType: FrameType;
  /** How the codecs write values for this encoding (`decodeValue`/`encodeValue`). */
  readonly flavor: WireFlavor;
  readonly limits: DecodeLimits;
  /** A message, or a batch (an array of messages), as one frame. */
  encode(message: unknown): Frame;
  /** One frame as it arrived: a message object, or an array for a batch. */
  decode(frame: string | Uint8Array): DecodedFrame;
}
