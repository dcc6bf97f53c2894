/**
 * How schemas made by `t` carry their compiled form: a reader and a writer closure under
 * module-private symbols. Composite schemas call their children's closures directly, so a
 * nested value is converted by plain function calls with no per-call interpretation.
 *
 * Each schema has one such pair per wire flavor (./flavor.ts). The JSON pair is built with
 * the schema; the MessagePack pair is built from a factory on first use, so a program that
 * never speaks MessagePack never builds it and the JSON path is exactly what it was.
 */
import type { JsonValue, Schema } from "./schema.js";
import type { MsgpackValue, WireFlavor } from "./flavor.js";
import { fromCodecError, toDecodeError, toEncodeError } from "./mismatch.js";

/** Converts a decoded wire value; throws Mismatch. */
export type Reader<T> = (json: unknown) => T;
/** Converts a TypeScript value into its wire value (`W`: JSON by default); throws Mismatch. */
export type Writer<T, W = JsonValue> = (value: T) => W;

/** The converters of one schema for one flavor. */
export interface Converters<T, W = JsonValue> {
  readonly read: Reader<T>;
  readonly write: Writer<T, W>;
}
export type MsgpackConverters<T> = Converters<T, MsgpackValue>;

const READ = Symbol("svcgen.read");
const WRITE = Symbol("svcgen.write");
/** What a missing value is expected to be, for "required" failures. */
const EXPECTED = Symbol("svcgen.expected");
/** Builds (once) and returns the MessagePack converters. */
const MSGPACK = Symbol("svcgen.msgpack");

interface Compiled<T> {
  readonly [READ]: Reader<T>;
  readonly [WRITE]: Writer<T>;
  readonly [EXPECTED]: string;
  readonly [MSGPACK]: () => MsgpackConverters<T>;
}

/**
 * Adds `decode`, `encode` and the compiled closures to `target` (which already holds the
 * descriptive properties) and returns it as the schema. `msgpack` builds the MessagePack
 * converters; without it they are the JSON ones (types whose wire value is the same).
 */
export function attachCodec<S extends object, T>(
  target: S,
  expected: string,
  read: Reader<T>,
  write: Writer<T>,
  msgpack?: () => MsgpackConverters<T>,
): S & Schema<T> {
  const schema = target as S & Schema<T> & Compiled<T>;
  Object.defineProperty(schema, READ, { value: read });
  Object.defineProperty(schema, WRITE, { value: write });
  Object.defineProperty(schema, EXPECTED, { value: expected });
  let built: MsgpackConverters<T> | undefined;
  const buildMsgpack = msgpack
    ? () => (built ??= msgpack())
    : () => (built ??= { read, write: write as Writer<T, MsgpackValue> });
  Object.defineProperty(schema, MSGPACK, { value: buildMsgpack });
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

/** The MessagePack converters; a schema not made by `t` goes through its JSON codec. */
export function msgpackConvertersOf<T>(schema: Schema<T>): MsgpackConverters<T> {
  const build = (schema as Partial<Compiled<T>>)[MSGPACK];
  if (build) return build();
  return {
    read: readerOf(schema),
    write: writerOf(schema) as Writer<T, MsgpackValue>,
  };
}

/** The reader of `schema` for `flavor`. */
export function flavoredReaderOf<T>(schema: Schema<T>, flavor: WireFlavor): Reader<T> {
  return flavor === "json" ? readerOf(schema) : msgpackConvertersOf(schema).read;
}

/** The writer of `schema` for `flavor`. */
export function flavoredWriterOf<T>(
  schema: Schema<T>,
  flavor: WireFlavor,
): Writer<T, JsonValue | MsgpackValue> {
  return flavor === "json" ? writerOf(schema) : msgpackConvertersOf(schema).write;
}

/** A short description of the schema's wire form, e.g. `int32` or `array`. */
export function expectedOf(schema: Schema<unknown>): string {
  return (schema as Partial<Compiled<unknown>>)[EXPECTED] ?? schema.kind;
}
