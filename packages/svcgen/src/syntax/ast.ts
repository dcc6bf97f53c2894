/**
 * The syntax tree of one .svc file: what the parser produces and the checker reads.
 * Names are as written (unresolved); every node keeps the span of its name or token.
 * A name that the parser had to invent while recovering from an error is "".
 */
import type { PrimitiveName } from "../model/model.js";

/** 1-based lines and columns (UTF-16 code units), end exclusive. */
export interface Span {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export type Literal =
  | { readonly kind: "string"; readonly value: string; readonly span: Span }
  | { readonly kind: "integer"; readonly value: number; readonly span: Span }
  | { readonly kind: "identifier"; readonly value: string; readonly span: Span };

export interface Annotation {
  readonly name: string;
  readonly span: Span;
  readonly args: readonly Literal[];
}

/** The annotations of every element that has none: one shared, frozen empty list. */
export const NO_ANNOTATIONS: readonly Annotation[] = Object.freeze([]);

export type TypeNode =
  | { readonly kind: "primitive"; readonly name: PrimitiveName; readonly span: Span }
  | { readonly kind: "void"; readonly span: Span }
  | { readonly kind: "named"; readonly name: string; readonly span: Span }
  | { readonly kind: "list"; readonly element: TypeNode; readonly span: Span }
  | { readonly kind: "map"; readonly value: TypeNode; readonly span: Span };

export interface Element {
  readonly name: string;
  /** Span of the name. */
  readonly span: Span;
  readonly doc?: string;
  readonly annotations: readonly Annotation[];
}

export interface EnumMemberNode extends Element {}

export interface FieldNode extends Element {
  readonly optional: boolean;
  /** `undefined` when the type could not be parsed (already reported). */
  readonly type?: TypeNode;
}

export interface CaseNode extends Element {
  readonly type?: TypeNode;
}

export interface ParamNode extends Element {
  readonly optional: boolean;
  readonly type?: TypeNode;
}

export interface QualifiedNameNode {
  readonly name: string;
  readonly span: Span;
}

export interface MethodNode extends Element {
  readonly oneway: boolean;
  readonly params: readonly ParamNode[];
  /** Absent when the method declares no return type. */
  readonly returns?: TypeNode;
  readonly throws: readonly QualifiedNameNode[];
}

export type DeclarationNode =
  | (Element & { readonly kind: "enum"; readonly members: readonly EnumMemberNode[] })
  | (Element & { readonly kind: "record" | "error"; readonly fields: readonly FieldNode[] })
  | (Element & { readonly kind: "union"; readonly cases: readonly CaseNode[] })
  | (Element & {
      readonly kind: "interface" | "callback";
      readonly methods: readonly MethodNode[];
    });

export interface ImportNode {
  /** The path as written, escapes decoded. */
  readonly path: string;
  /** Span of the string literal. */
  readonly span: Span;
}

export interface FileNode {
  /** "" when the file has no `package`. */
  readonly packageName: string;
  readonly packageSpan?: Span;
  /** The `///` lines before `package`. */
  readonly doc?: string;
  readonly imports: readonly ImportNode[];
  readonly declarations: readonly DeclarationNode[];
}
