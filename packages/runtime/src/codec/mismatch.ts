/**
 * The internal failure signal of the compiled codecs. Readers and writers throw a
 * Mismatch without any path; each enclosing list, map, record or union adds its key while
 * the exception unwinds. Pointers are therefore built only on failure, never on the happy
 * path, and the public DecodeError/EncodeError (with a stack trace) is made once, at the top.
 */
import { DecodeError, EncodeError, escapePointerToken } from "./errors.js";

export class Mismatch {
  /** Keys from the innermost outwards. */
  readonly path: (string | number)[] = [];
  constructor(
    readonly expected: string,
    readonly detail: string = `expected ${expected}`,
  ) {}
}

/** Records that the failure happened below `key`; returns the error for `throw`. */
export function below(error: unknown, key: string | number): unknown {
  if (error instanceof Mismatch) error.path.push(key);
  return error;
}

function pointerOf(prefix: string, path: readonly (string | number)[]): string {
  let pointer = prefix;
  for (let i = path.length - 1; i >= 0; i--) {
    const key = path[i]!;
    pointer += "/" + (typeof key === "number" ? String(key) : escapePointerToken(key));
  }
  return pointer;
}

/**
 * A stack overflow while walking a deeply nested (or, when encoding, cyclic) value is
 * reported as a codec error at the root rather than escaping as a RangeError.
 */
function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError;
}

export function toDecodeError(error: unknown, prefix: string): unknown {
  if (error instanceof Mismatch) {
    return new DecodeError(pointerOf(prefix, error.path), error.expected, error.detail);
  }
  if (isStackOverflow(error)) {
    return new DecodeError(prefix, "a less deeply nested value", "value nested too deeply");
  }
  return error;
}

export function toEncodeError(error: unknown, prefix: string): unknown {
  if (error instanceof Mismatch) {
    return new EncodeError(pointerOf(prefix, error.path), error.expected, error.detail);
  }
  if (isStackOverflow(error)) {
    return new EncodeError(prefix, "an acyclic value", "value nested too deeply or cyclic");
  }
  return error;
}

/** Turns a public codec error of a foreign schema back into a Mismatch (rare path). */
export function fromCodecError(error: unknown): unknown {
  if (!(error instanceof DecodeError) && !(error instanceof EncodeError)) return error;
  const mismatch = new Mismatch(error.expected, error.detail);
  const tokens = error.pointer === "" ? [] : error.pointer.slice(1).split("/");
  for (let i = tokens.length - 1; i >= 0; i--) {
    mismatch.path.push(tokens[i]!.replace(/~1/g, "/").replace(/~0/g, "~"));
  }
  return mismatch;
}
