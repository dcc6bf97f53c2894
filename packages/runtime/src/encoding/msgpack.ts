/** `svc.msgpack`: one MessagePack value per binary frame (PROTOCOL.md, "Binary encoding"). */
import type { DecodeLimits, WireEncoding } from "./types.js";
import { FrameError, defaultDecodeLimits } from "./types.js";
import { decodeMsgpack } from "./msgpack-decode.js";
import { encodeMsgpack } from "./msgpack-encode.js";
import { tooLarge } from "./json.js";

/** fixarray, array 16, array 32. */
function isArrayHeader(byte: number | undefined): boolean {
  return byte !== undefined && ((byte & 0xf0) === 0x90 || byte === 0xdc || byte === 0xdd);
}

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
      // A batch's array is no level of its messages, as under JSON (parseJsonFrame): each is
      // held to maxDepth as if it had come in a frame of its own.
      return decodeMsgpack(frame, isArrayHeader(frame[0]) ? maxDepth + 1 : maxDepth);
    },
  };
}
