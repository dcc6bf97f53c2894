/**
 * The resolved model of a set of .svc files: the only thing generators, the OpenAPI
 * writer and the contract hash read. It holds no syntax: every name is resolved to the
 * qualified (wire) name of its declaration, and every declaration keeps the span of its
 * name for messages.
 */

/** A range in a source file; 1-based lines and columns, end exclusive. */
export interface SourceSpan {
  /** The path of the file as the user named it (or as reached through an import). */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export type PrimitiveName =
  "bool" | "int32" | "int64" | "float64" | "string" | "bytes" | "timestamp" | "json";

export type TypeRef =
  | { readonly kind: "primitive"; readonly name: PrimitiveName }
  | { readonly kind: "list"; readonly element: TypeRef }
  | { readonly kind: "map"; readonly value: TypeRef }
  /** A reference to a declared enum, record, union or callback, by qualified name. */
  | {
      readonly kind: "named";
      readonly target: string;
      readonly targetKind: "enum" | "record" | "union" | "callback";
    };

/** `@deprecated` or `@deprecated("why")`: `true` or the reason. */
export type Deprecation = true | string;

interface Documented {
  /** The `///` lines before the element, joined with "\n", without the slashes. */
  readonly doc?: string;
  readonly deprecated?: Deprecation;
  /** Span of the element's name. */
  readonly span: SourceSpan;
}

export interface EnumMember extends Documented {
  readonly name: string;
}

export interface Field extends Documented {
  readonly name: string;
  readonly optional: boolean;
  readonly type: TypeRef;
}

export interface UnionCase extends Documented {
  readonly name: string;
  readonly type: TypeRef;
}

export interface Param extends Documented {
  readonly name: string;
  readonly optional: boolean;
  readonly type: TypeRef;
}

export interface Method extends Documented {
  readonly name: string;
  readonly oneway: boolean;
  readonly idempotent: boolean;
  /** `@resubscribe`: after a lost session the client calls it again (interface methods). */
  readonly resubscribe?: true;
  /** `@conflate("param")`: a queued call is replaced by a newer one with the same value of it. */
  readonly conflate?: string;
  /** `@rateLimit("20/s")`: calls per period per caller the server allows (interface methods). */
  readonly rateLimit?: string;
  readonly params: readonly Param[];
  /** `undefined` for void. */
  readonly returns?: TypeRef;
  /** Qualified names of the declared errors, in source order. */
  readonly throws: readonly string[];
}

interface DeclarationBase extends Documented {
  /** The declared name, e.g. `JobInfo`. */
  readonly name: string;
  /** The package-qualified wire name, e.g. `jobs.JobInfo`. */
  readonly qualifiedName: string;
  /** The package of the declaring file; "" when it has none. */
  readonly package: string;
}

export interface EnumDecl extends DeclarationBase {
  readonly kind: "enum";
  readonly members: readonly EnumMember[];
}
export interface RecordDecl extends DeclarationBase {
  readonly kind: "record";
  readonly fields: readonly Field[];
}
export interface ErrorDecl extends DeclarationBase {
  readonly kind: "error";
  readonly fields: readonly Field[];
  /** HTTP status from `@status(N)`; 400 when absent. */
  readonly status: number;
}
export interface UnionDecl extends DeclarationBase {
  readonly kind: "union";
  readonly cases: readonly UnionCase[];
}
export interface InterfaceDecl extends DeclarationBase {
  readonly kind: "interface";
  readonly methods: readonly Method[];
}
export interface CallbackDecl extends DeclarationBase {
  readonly kind: "callback";
  readonly methods: readonly Method[];
}

export type Declaration =
  EnumDecl | RecordDecl | ErrorDecl | UnionDecl | InterfaceDecl | CallbackDecl;

export interface SourceFile {
  /** Absolute, normalized path of the .svc file. */
  readonly path: string;
  /** The path as the user named it, or as reached through an import (for messages). */
  readonly displayPath: string;
  /** "" when the file has no `package`. */
  readonly package: string;
  /** The file-level doc comment (`///` before `package`), if any. */
  readonly doc?: string;
  /** Absolute paths of the imported files, in source order. */
  readonly imports: readonly string[];
  /** The file's declarations, in source order. */
  readonly declarations: readonly Declaration[];
}

export interface Model {
  /** Every file reached, the named ones and their imports, sorted by absolute path. */
  readonly files: readonly SourceFile[];
  /** Every declaration by qualified name. */
  readonly declarations: ReadonlyMap<string, Declaration>;
}
