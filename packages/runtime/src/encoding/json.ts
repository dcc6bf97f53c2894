/** `svc.json`: one JSON text per text frame, bounded like every encoding (./types.ts). */
import type { DecodeLimits, WireEncoding } from "./types.js";
import { FrameError, defaultDecodeLimits } from "./types.js";
import { withinDepth } from "./depth.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function jsonEncoding(limits: DecodeLimits = defaultDecodeLimits): WireEncoding<string> {
  const { maxFrameBytes, maxDepth } = limits;
  return {
    name: "svc.json",
    frameType: "text",
    flavor: "json",
    limits,
    encode(message) {
      let text: string | undefined;
      try {
        text = JSON.stringify(message);
      } catch (error) {
        // A RangeError is a stack overflow on a deep or cyclic value, a TypeError a cycle or a bigint.
        throw new FrameError(
          error instanceof RangeError ? "too-deep" : "unencodable",
          `message cannot be written as JSON: ${(error as Error).message}`,
        );
      }
      if (text === undefined) throw new FrameError("unencodable", "message has no JSON form");
      return text;
    },
    decode(frame) {
      let text: string;
      if (typeof frame === "string") {
        text = frame;
      } else {
        if (frame.byteLength > maxFrameBytes) throw tooLarge(frame.byteLength, maxFrameBytes);
        try {
          text = utf8.decode(frame);
        } catch {
          throw new FrameError("malformed", "frame is not valid UTF-8");
        }
      }
      if (text.length > maxFrameBytes) throw tooLarge(text.length, maxFrameBytes);
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new FrameError("malformed", "frame is not valid JSON");
      }
      if (!withinDepth(value, maxDepth)) throw tooDeep(maxDepth);
      return value;
    },
  };
}

export function tooLarge(size: number, maxFrameBytes: number): FrameError {
  return new FrameError("too-large", `frame of ${size} bytes exceeds ${maxFrameBytes}`);
}

export function tooDeep(maxDepth: number): FrameError {
  return new FrameError("too-deep", `value nested too deeply (more than ${maxDepth} levels)`);
}
