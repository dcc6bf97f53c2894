/**
 * Wire flavors: the shapes a value takes in each wire encoding. The `json` flavor is made
 * of JSON values only (int64 as a decimal string, bytes as base64, timestamp as RFC 3339
 * text); the `msgpack` flavor holds what MessagePack carries natively (int64 as bigint or
 * number, bytes as Uint8Array, timestamp as Date, NaN and the infinities as numbers).
 * docs/values.md has the table.
 */
import type { JsonValue } from "./schema.js";

export type WireFlavor = "json" | "msgpack";

/** A value as the MessagePack encoder writes it and the decoder returns it. */
export type MsgpackValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | Date
  | MsgpackValue[]
  | { [key: string]: MsgpackValue };

/** A value of either flavor. */
export type WireValue = JsonValue | MsgpackValue;
