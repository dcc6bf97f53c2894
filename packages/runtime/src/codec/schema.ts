/**
 * Schemas: runtime descriptions of IDL value types, built by generated code with the
 * `t` combinators (see ./types.ts). A schema is both a plain description (kind, name,
 * members: read by OpenAPI and tooling) and a codec between TypeScript values and
 * JSON-compatible wire values.
 */

export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface Codec<T> {
  /** TypeScript value → JSON-compatible value. Throws `EncodeError` on a value that does not fit. */
  encode(value: T): JsonValue;
  /**
   * Parsed JSON → fresh TypeScript value holding only declared keys. Throws `DecodeError`
   * whose pointer is the JSON pointer of the first mismatch below `pointer`.
   */
  decode(json: unknown, pointer?: string): T;
}

export type PrimitiveKind =
  "bool" | "int32" | "int64" | "float64" | "string" | "bytes" | "timestamp" | "json";

export type SchemaKind = PrimitiveKind | "list" | "map" | "enum" | "record" | "union";

/** A typed schema, as generated code holds it. Narrow with `kind` through `AnySchema`. */
export interface Schema<T> extends Codec<T> {
  readonly kind: SchemaKind;
}

export interface PrimitiveSchema extends Schema<any> {
  readonly kind: PrimitiveKind;
}
export interface ListSchema extends Schema<any> {
  readonly kind: "list";
  readonly element: AnySchema;
}
export interface MapSchema extends Schema<any> {
  readonly kind: "map";
  readonly value: AnySchema;
}
/**
 * The `///` doc comments of a named type, as generated code passes them to `t.enum`,
 * `t.record`, `t.union` and `defineError`: the type's own, and its members' by name.
 */
export interface TypeDocs {
  readonly doc?: string;
  /** Enum members, record or error fields, union cases: name → doc. */
  readonly members?: Readonly<Record<string, string>>;
}

export interface EnumSchema extends Schema<any> {
  readonly kind: "enum";
  /** Qualified wire name. */
  readonly name: string;
  readonly members: readonly string[];
  /** The IDL doc comment, if any. */
  readonly doc?: string;
  /** Doc comments of members that have one, by member name. */
  readonly memberDocs?: Readonly<Record<string, string>>;
}
export interface FieldSchema {
  readonly name: string;
  readonly optional: boolean;
  readonly schema: AnySchema;
  readonly doc?: string;
}
export interface RecordSchema extends Schema<any> {
  readonly kind: "record";
  readonly name: string;
  /** Resolved lazily on first access, so records may refer to themselves. */
  readonly fields: readonly FieldSchema[];
  readonly doc?: string;
}
export interface UnionCaseSchema {
  readonly name: string;
  readonly schema: AnySchema;
  readonly doc?: string;
}
export interface UnionSchema extends Schema<any> {
  readonly kind: "union";
  readonly name: string;
  /** Resolved lazily on first access. */
  readonly cases: readonly UnionCaseSchema[];
  readonly doc?: string;
}

/** Every schema, for code that walks them (OpenAPI, tooling). */
export type AnySchema =
  PrimitiveSchema | ListSchema | MapSchema | EnumSchema | RecordSchema | UnionSchema;

/**
 * `t.optional(schema)`: marks a record or error field (or a parameter) as optional. Not a
 * schema itself: it only appears as a field value in `t.record(...)` and `defineError`.
 */
export interface OptionalSchema<T = any> {
  readonly kind: "optional";
  readonly schema: Schema<T>;
}

/** What a field of `t.record` / `defineError` may be declared as. */
export type FieldType = Schema<any> | OptionalSchema<any>;
