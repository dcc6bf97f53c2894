/**
 * The optional `meta` member of a WebSocket message: string metadata of a call or callback
 * (a `traceparent`, say), as HTTP headers carry it for REST and `/rpc`. A peer that does not
 * know it ignores it; a value that is not a flat object of strings is read as none.
 */

/** Most entries read from one message; the rest are ignored. */
export const maxMetaEntries = 32;
/** Longest name and value read; longer entries are ignored. */
export const maxMetaNameLength = 64;
export const maxMetaValueLength = 1024;

/** The `meta` of a parsed message as interceptor metadata (names in lower case). */
export function readMeta(message: unknown): Record<string, string> {
  const metadata: Record<string, string> = {};
  if (typeof message !== "object" || message === null) return metadata;
  const meta = (message as { meta?: unknown }).meta;
  if (typeof meta !== "object" || meta === null || Array.isArray(meta)) return metadata;
  let count = 0;
  for (const name of Object.keys(meta)) {
    if (count === maxMetaEntries) break;
    const value = (meta as Record<string, unknown>)[name];
    if (typeof value !== "string" || name.length > maxMetaNameLength) continue;
    if (value.length > maxMetaValueLength || name === "__proto__") continue;
    metadata[name.toLowerCase()] = value;
    count++;
  }
  return metadata;
}

/** The `meta` member to send: undefined when there is nothing to carry. */
export function metaMember(metadata: Record<string, string> | undefined): object | undefined {
  if (metadata === undefined) return undefined;
  for (const _ in metadata) return { meta: metadata };
  return undefined;
}
