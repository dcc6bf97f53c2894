export type * from "./schema.js";
export type { MsgpackValue, WireFlavor, WireValue } from "./flavor.js";
export { t } from "./types.js";
export type { Primitive } from "./primitives.js";
export type {
  TypedEnumSchema,
  TypedListSchema,
  TypedMapSchema,
  TypedRecordSchema,
  TypedUnionSchema,
} from "./composites.js";
export { DecodeError, EncodeError, childPointer, escapePointerToken } from "./errors.js";
export {
  CALLBACK_ID,
  decodeParams,
  decodeResult,
  decodeValue,
  encodeParams,
  encodeResult,
  encodeValue,
  isCallbackId,
} from "./params.js";
export type { CallbackIdentifier, CallbackResolver, ParamError } from "./params.js";
