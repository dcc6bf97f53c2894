/** The WebSocket encodings a server speaks, by subprotocol, bound to its frame limits. */
import type { EncodingName, WireEncoding } from "../encoding/types.js";
import { jsonEncoding } from "../encoding/json.js";
import { msgpackEncoding } from "../encoding/msgpack.js";
import type { SequenceEncoding } from "../session/frame.js";
import { msgpackSequenceEncoding } from "../session/msgpack-frame.js";
import type { ResolvedServerOptions } from "./options.js";

/** `svc.json` always (what a client offering no subprotocol gets); `svc.msgpack` unless left out. */
export function serverEncodings(
  options: ResolvedServerOptions,
): ReadonlyMap<EncodingName | string, WireEncoding> {
  const { maxFrameBytes, maxDepth } = options.limits;
  const limits = { maxFrameBytes, maxDepth };
  const encodings = new Map<string, WireEncoding>([["svc.json", jsonEncoding(limits)]]);
  if (options.encodings.includes("svc.msgpack")) {
    encodings.set("svc.msgpack", msgpackEncoding(limits));
  }
  return encodings;
}

const msgpackFrames = msgpackSequenceEncoding();

/** How `seq` is stamped into, and batches are joined from, frames of `encoding`. */
export function sequenceEncodingFor(
  encoding: WireEncoding,
  options: ResolvedServerOptions,
): SequenceEncoding {
  return encoding.frameType === "binary" ? msgpackFrames : options.sessions.encoding;
}
