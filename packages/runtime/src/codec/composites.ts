/**
 * The schemas of composite IDL types: lists, maps, enums, records and unions. Each is
 * compiled into reader/writer closures; records and unions resolve their members lazily on
 * first use so that they may refer to themselves.
 */
import type {
  EnumSchema,
  FieldSchema,
  FieldType,
  JsonValue,
  ListSchema,
  MapSchema,
  OptionalSchema,
  RecordSchema,
  Schema,
  TypeDocs,
  UnionCaseSchema,
  UnionSchema,
  AnySchema,
} from "./schema.js";
import { attachCodec, expectedOf, msgpackConvertersOf, readerOf, writerOf } from "./compiled.js";
import type { MsgpackConverters, Reader, Writer } from "./compiled.js";
import type { MsgpackValue, WireFlavor } from "./flavor.js";
import { Mismatch } from "./mismatch.js";
import { isJsonObject, isPrototypeKey, setOwn } from "./objects.js";
import { compileRecord } from "./record-codec.js";
import type { RecordConverters } from "./record-codec.js";

type Typed<S extends Schema<any>, T> = Omit<S, "encode" | "decode"> & Schema<T>;

export type TypedListSchema<T> = Typed<ListSchema, T[]>;
export type TypedMapSchema<T> = Typed<MapSchema, Record<string, T>>;
export type TypedEnumSchema<T extends string> = Typed<EnumSchema, T>;
export type TypedRecordSchema<T> = Typed<RecordSchema, T>;
export type TypedUnionSchema<T> = Typed<UnionSchema, T>;

const hasOwn = Object.hasOwn;

/** A member that is not a schema: typically a module cycle read before initialization. */
function notASchema(owner: string, member: string): TypeError {
  return new TypeError(`${owner}.${member} is not a schema (is it used before it is defined?)`);
}

function checkSchema(combinator: string, schema: Schema<unknown> | undefined): void {
  if (typeof schema?.decode !== "function") {
    throw new TypeError(`${combinator}: not a schema (is it used before it is defined?)`);
  }
}

export function list<T>(element: Schema<T>): TypedListSchema<T> {
  checkSchema("t.list", element);
  const readElement = readerOf(element);
  const writeElement = writerOf(element);
  const convert = <I, O>(convertElement: (value: I) => O) => {
    return (value: unknown): O[] => {
      if (!Array.isArray(value)) throw new Mismatch("array");
      const length = value.length;
      const out: O[] = new Array(length);
      let i = 0;
      try {
        for (; i < length; i++) out[i] = convertElement(value[i]);
      } catch (error) {
        if (error instanceof Mismatch) error.path.push(i);
        throw error;
      }
      return out;
    };
  };
  return attachCodec(
    { kind: "list", element: element as AnySchema } as const,
    "array",
    convert(readElement),
    convert(writeElement) as Writer<T[]>,
    () => {
      const inner = msgpackConvertersOf(element);
      return {
        read: convert(inner.read),
        write: convert(inner.write) as Writer<T[], MsgpackValue>,
      };
    },
  );
}

export function map<T>(value: Schema<T>): TypedMapSchema<T> {
  checkSchema("t.map", value);
  const readValue = readerOf(value);
  const writeValue = writerOf(value);
  const convert = <O>(convertValue: (value: any) => O) => {
    return (input: unknown): Record<string, O> => {
      if (!isJsonObject(input) || input instanceof Map) throw new Mismatch("object");
      const out: Record<string, O> = {};
      let key = "";
      try {
        for (key of Object.keys(input)) setOwn(out, key, convertValue(input[key]));
      } catch (error) {
        if (error instanceof Mismatch) error.path.push(key);
        throw error;
      }
      return out;
    };
  };
  return attachCodec(
    { kind: "map", value: value as AnySchema } as const,
    "object",
    convert(readValue),
    convert(writeValue) as Writer<Record<string, T>>,
    () => {
      const inner = msgpackConvertersOf(value);
      return {
        read: convert(inner.read),
        write: convert(inner.write) as Writer<Record<string, T>, MsgpackValue>,
      };
    },
  );
}

export function optional<T>(schema: Schema<T>): OptionalSchema<T> {
  checkSchema("t.optional", schema);
  return { kind: "optional", schema };
}

export function isOptional(field: FieldType): field is OptionalSchema {
  return field.kind === "optional";
}

/** The doc of member `name`, never one inherited from Object.prototype. */
function memberDoc(docs: TypeDocs | undefined, name: string): { doc?: string } {
  const members = docs?.members;
  if (members === undefined || !Object.hasOwn(members, name)) return {};
  return { doc: members[name]! };
}

/** `{ doc }` when there is one: undocumented schemas keep exactly their old shape. */
function ownDoc(docs: TypeDocs | undefined): { doc?: string } {
  return docs?.doc === undefined ? {} : { doc: docs.doc };
}

export function enumeration<T extends string>(
  name: string,
  members: readonly T[],
  docs?: TypeDocs,
): TypedEnumSchema<T> {
  const known = new Set<unknown>(members);
  const expected = `one of ${members.join(", ")}`;
  const check = (value: unknown): T => {
    if (known.has(value)) return value as T;
    throw new Mismatch(expected);
  };
  return attachCodec(
    {
      kind: "enum",
      name,
      members: Object.freeze([...members]),
      ...ownDoc(docs),
      ...(docs?.members !== undefined && { memberDocs: Object.freeze({ ...docs.members }) }),
    } as const,
    expected,
    check,
    check,
  );
}

export function record<T>(
  name: string,
  fields: () => Record<string, FieldType>,
  docs?: TypeDocs,
): TypedRecordSchema<T> {
  let resolved: readonly FieldSchema[] | undefined;
  const resolve = (): readonly FieldSchema[] => {
    if (!resolved) {
      const declared = fields();
      resolved = Object.freeze(
        Object.keys(declared).map((fieldName): FieldSchema => {
          const field = declared[fieldName];
          const optional = field !== undefined && isOptional(field);
          const schema = (optional ? field.schema : field) as AnySchema | undefined;
          if (typeof schema?.decode !== "function") throw notASchema(name, fieldName);
          return Object.freeze({
            name: fieldName,
            optional,
            schema,
            ...memberDoc(docs, fieldName),
          });
        }),
      );
    }
    return resolved;
  };
  // Compiled on first use (not at definition, when a recursive record is still undefined),
  // once per flavor; the stable read/write wrappers below then call straight into the
  // compiled converters.
  const compile = (flavor: WireFlavor): RecordConverters =>
    compileRecord(
      resolve().map((field) => {
        const converters =
          flavor === "json"
            ? { read: readerOf(field.schema), write: writerOf(field.schema) }
            : msgpackConvertersOf(field.schema);
        return {
          name: field.name,
          optional: field.optional,
          nullIsValue: field.schema.kind === "json",
          guarded: isPrototypeKey(field.name),
          expected: expectedOf(field.schema),
          read: converters.read,
          write: converters.write as Writer<unknown>,
        };
      }),
    );
  let converters: RecordConverters | undefined;
  const read: Reader<T> = (json) => (converters ??= compile("json")).read(json) as T;
  const write: Writer<T> = (value) => (converters ??= compile("json")).write(value as object);
  const msgpack = (): MsgpackConverters<T> => {
    let compiled: RecordConverters | undefined;
    return {
      read: (value) => (compiled ??= compile("msgpack")).read(value) as T,
      write: (value) =>
        (compiled ??= compile("msgpack")).write(value as object) as unknown as MsgpackValue,
    };
  };

  const schema = { kind: "record", name, ...ownDoc(docs) } as {
    kind: "record";
    name: string;
    fields: readonly FieldSchema[];
  };
  Object.defineProperty(schema, "fields", { get: resolve, enumerable: true });
  return attachCodec(schema, "object", read, write, msgpack);
}

interface CompiledCase {
  readonly read: Reader<unknown>;
  readonly write: Writer<unknown>;
}

export function union<T>(
  name: string,
  cases: () => Record<string, Schema<any>>,
  docs?: TypeDocs,
): TypedUnionSchema<T> {
  let resolved: readonly UnionCaseSchema[] | undefined;
  let expected = "object with exactly one key";
  const resolve = (): readonly UnionCaseSchema[] => {
    if (!resolved) {
      const declared = cases();
      resolved = Object.freeze(
        Object.keys(declared).map((caseName): UnionCaseSchema => {
          const schema = declared[caseName] as AnySchema | undefined;
          if (typeof schema?.decode !== "function") throw notASchema(name, caseName);
          return Object.freeze({ name: caseName, schema, ...memberDoc(docs, caseName) });
        }),
      );
    }
    return resolved;
  };
  const caseNames = () =>
    resolve()
      .map((c) => c.name)
      .join(", ");
  const plan = (flavor: WireFlavor): Map<string, CompiledCase> => {
    expected = `object with exactly one key of ${caseNames()}`;
    return new Map(
      resolve().map((c) => {
        const converters =
          flavor === "json"
            ? { read: readerOf(c.schema), write: writerOf(c.schema) }
            : msgpackConvertersOf(c.schema);
        return [c.name, converters as CompiledCase];
      }),
    );
  };

  /** The converters over one flavor's plan, built on first use. */
  const convertersOver = (flavor: WireFlavor) => {
    let compiled: Map<string, CompiledCase> | undefined;
    const read: Reader<T> = (json) => {
      const cases = (compiled ??= plan(flavor));
      if (isJsonObject(json)) {
        const keys = Object.keys(json);
        const caseName = keys[0];
        const unionCase = keys.length === 1 ? cases.get(caseName!) : undefined;
        if (unionCase) {
          try {
            return { case: caseName, value: unionCase.read(json[caseName!]) } as T;
          } catch (error) {
            if (error instanceof Mismatch) error.path.push(caseName!);
            throw error;
          }
        }
      }
      throw new Mismatch(expected);
    };

    const write: Writer<T> = (input) => {
      const cases = (compiled ??= plan(flavor));
      const value = input as { case?: unknown; value?: unknown } | null;
      const caseName = typeof value === "object" && value !== null ? value.case : undefined;
      const unionCase = typeof caseName === "string" ? cases.get(caseName) : undefined;
      if (!unionCase) throw new Mismatch(`{ case, value } with case one of ${caseNames()}`);
      const out: Record<string, JsonValue> = {};
      try {
        setOwn(out, caseName as string, unionCase.write(value!.value));
      } catch (error) {
        if (error instanceof Mismatch) error.path.push(caseName as string);
        throw error;
      }
      return out;
    };
    return { read, write };
  };
  const json = convertersOver("json");

  const schema = { kind: "union", name, ...ownDoc(docs) } as {
    kind: "union";
    name: string;
    cases: readonly UnionCaseSchema[];
  };
  Object.defineProperty(schema, "cases", { get: resolve, enumerable: true });
  // The expected text names the cases, which are known only once resolved.
  return attachCodec(
    schema,
    "object with exactly one key",
    json.read,
    json.write,
    () => convertersOver("msgpack") as MsgpackConverters<T>,
  );
}
