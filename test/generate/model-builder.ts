/**
 * Builds resolved models by hand, for generator tests that must not depend on the
 * parser: declarations are written close to their IDL, spans are filled in.
 */
import type {
  CallbackDecl,
  Declaration,
  EnumDecl,
  ErrorDecl,
  Field,
  InterfaceDecl,
  Method,
  Model,
  Param,
  PrimitiveName,
  RecordDecl,
  SourceFile,
  SourceSpan,
  TypeRef,
  UnionDecl,
} from "../../packages/svcgen/src/model/model.js";

const span: SourceSpan = { file: "x.svc", line: 1, column: 1, endLine: 1, endColumn: 2 };

export const prim = (name: PrimitiveName): TypeRef => ({ kind: "primitive", name });
export const list = (element: TypeRef): TypeRef => ({ kind: "list", element });
export const map = (value: TypeRef): TypeRef => ({ kind: "map", value });
export const named = (
  target: string,
  targetKind: "enum" | "record" | "union" | "callback",
): TypeRef => ({ kind: "named", target, targetKind });

type Extra = { doc?: string; deprecated?: true | string };

export const field = (name: string, type: TypeRef, optional = false, extra: Extra = {}): Field => ({
  name,
  type,
  optional,
  span,
  ...extra,
});
export const param = (name: string, type: TypeRef, optional = false, extra: Extra = {}): Param => ({
  name,
  type,
  optional,
  span,
  ...extra,
});

export function method(
  name: string,
  params: Param[],
  options: Partial<
    Pick<
      Method,
      "oneway" | "idempotent" | "resubscribe" | "conflate" | "rateLimit" | "returns" | "throws"
    >
  > &
    Extra = {},
): Method {
  return { name, params, oneway: false, idempotent: false, throws: [], span, ...options };
}

function base(pkg: string, name: string, extra: Extra) {
  return {
    name,
    qualifiedName: pkg === "" ? name : `${pkg}.${name}`,
    package: pkg,
    span,
    ...extra,
  };
}

export const enumDecl = (
  pkg: string,
  name: string,
  members: string[],
  extra: Extra = {},
): EnumDecl => ({
  kind: "enum",
  members: members.map((m) => ({ name: m, span })),
  ...base(pkg, name, extra),
});
export const recordDecl = (
  pkg: string,
  name: string,
  fields: Field[],
  extra: Extra = {},
): RecordDecl => ({
  kind: "record",
  fields,
  ...base(pkg, name, extra),
});
export const errorDecl = (
  pkg: string,
  name: string,
  fields: Field[],
  status = 400,
  extra: Extra = {},
): ErrorDecl => ({ kind: "error", fields, status, ...base(pkg, name, extra) });
export const unionDecl = (
  pkg: string,
  name: string,
  cases: [string, TypeRef][],
  extra: Extra = {},
): UnionDecl => ({
  kind: "union",
  cases: cases.map(([n, type]) => ({ name: n, type, span })),
  ...base(pkg, name, extra),
});
export const interfaceDecl = (
  pkg: string,
  name: string,
  methods: Method[],
  extra: Extra = {},
): InterfaceDecl => ({ kind: "interface", methods, ...base(pkg, name, extra) });
export const callbackDecl = (
  pkg: string,
  name: string,
  methods: Method[],
  extra: Extra = {},
): CallbackDecl => ({ kind: "callback", methods, ...base(pkg, name, extra) });

export function sourceFile(
  path: string,
  pkg: string,
  declarations: Declaration[],
  imports: string[] = [],
  doc?: string,
): SourceFile {
  return {
    path,
    displayPath: path,
    package: pkg,
    imports,
    declarations,
    ...(doc === undefined ? {} : { doc }),
  };
}

export function model(files: SourceFile[]): Model {
  const declarations = new Map<string, Declaration>();
  for (const file of files)
    for (const decl of file.declarations) declarations.set(decl.qualifiedName, decl);
  return { files: [...files].sort((a, b) => (a.path < b.path ? -1 : 1)), declarations };
}
