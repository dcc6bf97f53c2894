/** The encodings by subprotocol name, in the order of preference a client offers them. */
import type { DecodeLimits, EncodingName, WireEncoding } from "./types.js";
import { defaultDecodeLimits } from "./types.js";
import { jsonEncoding } from "./json.js";
import { msgpackEncoding } from "./msgpack.js";

export const encodingNames: readonly EncodingName[] = Object.freeze(["svc.msgpack", "svc.json"]);

/** The encoding a subprotocol names, or undefined for a name this runtime does not speak. */
export function createEncoding(
  name: string,
  limits: DecodeLimits = defaultDecodeLimits,
): WireEncoding | undefined {
  switch (name) {
    case "svc.json":
      return jsonEncoding(limits);
    case "svc.msgpack":
      return msgpackEncoding(limits);
  }
  return undefined;
}
