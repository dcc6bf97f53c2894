/**
 * The key under which a `@conflate("param")` callback call may replace an older queued one:
 * the same callback, the same method, the same encoded value of that parameter.
 */
import type { JsonValue } from "../codec/schema.js";
import type { MethodDescriptor } from "../descriptors.js";

/** The part of the key shared by every member of a broadcast (everything but the callback id). */
export function conflationSuffix(
  method: MethodDescriptor,
  encodedArgs: JsonValue,
): string | undefined {
  if (method.conflate === undefined) return undefined;
  const value = (encodedArgs as Record<string, JsonValue> | null)?.[method.conflate];
  return `\u0000${method.name}\u0000${JSON.stringify(value ?? null, keyText)}`;
}

/**
 * MessagePack-flavored values hold bigints, which JSON.stringify refuses; keys are compared
 * only within one connection (one flavor), so any one-to-one text does.
 */
function keyText(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? `${value}n` : value;
}

export function conflationKey(
  callbackId: string,
  method: MethodDescriptor,
  encodedArgs: JsonValue,
): string | undefined {
  const suffix = conflationSuffix(method, encodedArgs);
  return suffix === undefined ? undefined : callbackId + suffix;
}
