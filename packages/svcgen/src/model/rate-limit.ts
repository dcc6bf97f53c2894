/**
 * The value of `@rateLimit("...")`: `<count>/<period>`, optionally `, burst <n>`. The same
 * grammar the runtime reads (packages/runtime/src/server/rate-limit.ts), checked here so
 * that a bad value is an error in the IDL rather than when the server starts.
 */

const periods = new Set(["s", "sec", "second", "m", "min", "minute", "h", "hour"]);
const grammar = /^(\d+)\s*\/\s*([A-Za-z]+)(?:\s*,\s*burst\s+(\d+))?$/;
/** The largest count or burst the runtime reads (nine digits). */
const maxCount = 999_999_999;

/** Why `text` is not a rate limit; undefined when it is one. */
export function rateLimitProblem(text: string): string | undefined {
  const match = grammar.exec(text.trim());
  if (match === null) {
    return `expected "<count>/<period>" with period s, min or h, optionally followed by ", burst <n>" (e.g. "20/s", "100/min, burst 20")`;
  }
  const [, count, period, burst] = match;
  if (!periods.has(period!)) {
    return `unknown period "${period}" (use s, min or h)`;
  }
  for (const [what, value] of [
    ["count", count],
    ["burst", burst],
  ] as const) {
    if (value === undefined) continue;
    const n = Number(value);
    if (n < 1 || n > maxCount) return `the ${what} must be from 1 to ${maxCount}, not ${value}`;
  }
  return undefined;
}
