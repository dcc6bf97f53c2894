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
  return `\u0000${method.name}\u0000${JSON.stringify(value ?? null)}`;
}

export function conflationKey(
  callbackId: string,
  method: MethodDescriptor,
  encodedArgs: JsonValue,
): string | undefined {
  const suffix = conflationSuffix(method, encodedArgs);
  return suffix === undefined ? undefined : callbackId + suffix;
}
