/** `svc.msgpack`: one MessagePack value per binary frame (PROTOCOL.md, "Binary encoding"). */
import type { DecodeLimits, WireEncoding } from "./types.js";
import { FrameError, defaultDecodeLimits } from "./types.js";
import { decodeMsgpack } from "./msgpack-decode.js";
import { encodeMsgpack } from "./msgpack-encode.js";
import { tooLarge } from "./json.js";

export function msgpackEncoding(
  limits: DecodeLimits = defaultDecodeLimits,
): WireEncoding<Uint8Array> {
  const { maxFrameBytes, maxDepth } = limits;
  return {
    name: "svc.msgpack",
    frameType: "binary",
    flavor: "msgpack",
    limits,
    encode: (message) => encodeMsgpack(message, maxDepth),
    decode(frame) {
      if (typeof frame === "string") {
        throw new FrameError("frame-type", "svc.msgpack takes binary frames only");
      }
      if (frame.byteLength > maxFrameBytes) throw tooLarge(frame.byteLength, maxFrameBytes);
      return decodeMsgpack(frame, maxDepth);
    },
  };
}
