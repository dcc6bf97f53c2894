/**
 * `svc.json`: one JSON text per text frame, under the nesting limit of every JSON path
 * (protocol/json-text.ts: checked on the text before JSON.parse builds anything).
 */
import type { DecodeLimits, WireEncoding } from "./types.js";
import { FrameError, defaultDecodeLimits } from "./types.js";
import { NestedTooDeeply, parseJsonFrame, stringifyJson } from "../protocol/json-text.js";

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
        text = stringifyJson(message, maxDepth);
      } catch (error) {
        if (error instanceof NestedTooDeeply) throw tooDeep(maxDepth);
        throw new FrameError(
          "unencodable",
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
      try {
        // A batch's array is no level of its messages (coalesced frames, PROTOCOL.md).
        return parseJsonFrame(text, maxDepth);
      } catch {
        throw new FrameError("malformed", "frame is not valid JSON");
      }
    },
  };
}

export function tooLarge(size: number, maxFrameBytes: number): FrameError {
  return new FrameError("too-large", `frame of ${size} bytes exceeds ${maxFrameBytes}`);
}

export function tooDeep(maxDepth: number): FrameError {
  return new FrameError("too-deep", `nested too deeply (more than ${maxDepth} levels)`);
}
