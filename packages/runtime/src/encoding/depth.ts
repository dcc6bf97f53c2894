/**
 * Nesting depth of an already parsed value (JSON.parse builds any depth without recursion).
 * The walk stops as soon as it passes the limit, so it never recurses more than `maxDepth`
 * frames, whatever the input.
 */

/** True when arrays and objects in `value` nest at most `maxDepth` deep. */
export function withinDepth(value: unknown, maxDepth: number): boolean {
  return typeof value !== "object" || value === null || fits(value, maxDepth);
}

function fits(container: object, left: number): boolean {
  if (left < 1) return false;
  if (Array.isArray(container)) {
    for (let i = 0; i < container.length; i++) {
      const item: unknown = container[i];
      if (typeof item === "object" && item !== null && !fits(item, left - 1)) return false;
    }
    return true;
  }
  for (const key in container) {
    const item = (container as Record<string, unknown>)[key];
    if (typeof item === "object" && item !== null && !fits(item, left - 1)) return false;
  }
  return true;
}
