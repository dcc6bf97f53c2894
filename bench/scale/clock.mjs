/**
 * Milliseconds since the epoch with sub-millisecond resolution. Every process of the
 * benchmark runs on the same machine, so stamps taken in different processes compare.
 */
export function now() {
  return performance.timeOrigin + performance.now();
}
