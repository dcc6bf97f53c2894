export type {
  DecodeLimits,
  DecodedFrame,
  EncodingName,
  FrameErrorReason,
  FrameType,
  WireEncoding,
} from "./types.js";
export { FrameError, defaultDecodeLimits } from "./types.js";
export { jsonEncoding } from "./json.js";
export { msgpackEncoding } from "./msgpack.js";
export { createEncoding, encodingNames } from "./registry.js";
