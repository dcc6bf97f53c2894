/**
 * The errors of the codecs. Both carry the JSON pointer (RFC 6901) of the first value
 * that did not fit, what was expected there, and a message `"/info/tags/3: expected string"`.
 * At the root (empty pointer) the message is the detail alone (`"expected string"`).
 */

/** A wire value does not match its schema: the peer sent something invalid. */
export class DecodeError extends Error {
  /** JSON pointer of the mismatch, `""` for the root. */
  readonly pointer: string;
  /** What the schema wanted there, e.g. `int32`, `array`, `one of Queued, Running`. */
  readonly expected: string;
  /** The text after the pointer in the message: `expected int32`, or `required`. */
  readonly detail: string;

  constructor(pointer: string, expected: string, detail: string = `expected ${expected}`) {
    super(pointer === "" ? detail : `${pointer}: ${detail}`);
    this.name = "DecodeError";
    this.pointer = pointer;
    this.expected = expected;
    this.detail = detail;
  }
}

/** A TypeScript value does not fit its schema: a bug in the caller or the implementation. */
export class EncodeError extends Error {
  readonly pointer: string;
  readonly expected: string;
  readonly detail: string;

  constructor(pointer: string, expected: string, detail: string = `expected ${expected}`) {
    super(pointer === "" ? detail : `${pointer}: ${detail}`);
    this.name = "EncodeError";
    this.pointer = pointer;
    this.expected = expected;
    this.detail = detail;
  }
}

/** One reference token of a JSON pointer: `~` → `~0`, `/` → `~1` (RFC 6901). */
export function escapePointerToken(token: string): string {
  if (token.indexOf("~") < 0 && token.indexOf("/") < 0) return token;
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** `prefix` extended by one key or index. */
export function childPointer(prefix: string, key: string | number): string {
  return `${prefix}/${typeof key === "number" ? key : escapePointerToken(key)}`;
}
