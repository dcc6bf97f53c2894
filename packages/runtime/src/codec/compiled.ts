/**
 * How schemas made by `t` carry their compiled form: a reader and a writer closure under
 * module-private symbols. Composite schemas call their children's closures directly, so a
 * nested value is converted by plain function calls with no per-call interpretation.
 */
import type { JsonValue, Schema } from "./schema.js";
import { fromCodecError, toDecodeError, toEncodeError } from "./mismatch.js";

/** Converts a parsed JSON value; throws Mismatch. */
export type Reader<T> = (json: unknown) => T;
/** Converts a TypeScript value; throws Mismatch. */
export type Writer<T> = (value: T) => JsonValue;

const READ = Symbol("svcgen.read");
const WRITE = Symbol("svcgen.write");
/** What a missing value is expected to be, for "required" failures. */
const EXPECTED = Symbol("svcgen.expected");

interface Compiled<T> {
  readonly [READ]: Reader<T>;
  readonly [WRITE]: Writer<T>;
  readonly [EXPECTED]: string;
}

/**
 * Adds `decode`, `encode` and the compiled closures to `target` (which already holds the
 * descriptive properties) and returns it as the schema.
 */
export function attachCodec<S extends object, T>(
  target: S,
  expected: string,
  read: Reader<T>,
  write: Writer<T>,
): S & Schema<T> {
  const schema = target as S & Schema<T> & Compiled<T>;
  Object.defineProperty(schema, READ, { value: read });
  Object.defineProperty(schema, WRITE, { value: write });
  Object.defineProperty(schema, EXPECTED, { value: expected });
  (schema as { decode: Schema<T>["decode"] }).decode = (json: unknown, pointer = ""): T => {
    try {
      return read(json);
    } catch (error) {
      throw toDecodeError(error, pointer);
    }
  };
  (schema as { encode: Schema<T>["encode"] }).encode = (value: T): JsonValue => {
    try {
      return write(value);
    } catch (error) {
      throw toEncodeError(error, "");
    }
  };
  return schema;
}

export function readerOf<T>(schema: Schema<T>): Reader<T> {
  const compiled = (schema as Partial<Compiled<T>>)[READ];
  if (compiled) return compiled;
  return (json) => {
    try {
      return schema.decode(json);
    } catch (error) {
      throw fromCodecError(error);
    }
  };
}

export function writerOf<T>(schema: Schema<T>): Writer<T> {
  const compiled = (schema as Partial<Compiled<T>>)[WRITE];
  if (compiled) return compiled;
  return (value) => {
    try {
      return schema.encode(value);
    } catch (error) {
      throw fromCodecError(error);
    }
  };
}

/** A short description of the schema's wire form, e.g. `int32` or `array`. */
export function expectedOf(schema: Schema<unknown>): string {
  return (schema as Partial<Compiled<unknown>>)[EXPECTED] ?? schema.kind;
}
