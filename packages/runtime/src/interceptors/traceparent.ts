/**
 * W3C Trace Context `traceparent` (https://www.w3.org/TR/trace-context/): read and written
 * here, so that propagation does not depend on which propagator an application registered.
 */

export interface RemoteSpanContext {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
  readonly isRemote: true;
}

const pattern = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const zeros = /^0+$/;

/** The parent a `traceparent` names; undefined for a missing or malformed one. */
export function parseTraceparent(value: string | undefined): RemoteSpanContext | undefined {
  if (value === undefined || value.length > 256) return undefined;
  const match = pattern.exec(value.trim());
  if (match === null) return undefined;
  const [, version, traceId, spanId, flags, rest] = match;
  // Version ff is invalid; version 00 has nothing after the flags.
  if (version === "ff" || (version === "00" && rest !== undefined)) return undefined;
  if (zeros.test(traceId!) || zeros.test(spanId!)) return undefined;
  return { traceId: traceId!, spanId: spanId!, traceFlags: parseInt(flags!, 16), isRemote: true };
}

export function formatTraceparent(span: {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
}): string {
  const flags = (span.traceFlags & 0xff).toString(16).padStart(2, "0");
  return `00-${span.traceId}-${span.spanId}-${flags}`;
}
