/**
 * Safe object building for decoders and encoders: no key of the input ever reaches a
 * prototype. Output objects are ordinary objects (Object.prototype), so they print and
 * compare like any other; keys that name an Object.prototype property (`__proto__`,
 * `constructor`, `toString`, ...) are defined as own data properties instead of assigned,
 * which would call the `__proto__` setter or fail on a frozen prototype.
 */

const objectPrototype = Object.prototype;
const hasOwn = Object.hasOwn;

/** True for keys that an ordinary object would resolve through its prototype. */
export function isPrototypeKey(key: string): boolean {
  return key in objectPrototype;
}

/** Sets an own, enumerable, writable property, whatever the key. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key in objectPrototype) {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}

/** Reads an own property only: inherited values count as absent. */
export function getOwn(source: object, key: string): unknown {
  return hasOwn(source, key) ? (source as Record<string, unknown>)[key] : undefined;
}

/** A JSON object: non-null, not an array. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
