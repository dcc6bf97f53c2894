/**
 * Runs every lint rule over one parsed (and, when it has no errors, checked) file. Knows
 * nothing of configs or suppression comments: every finding comes out, at its rule's
 * default severity; lint.ts decides what is kept.
 */
import type { Reference } from "../model/check.js";
import type { Annotation, DeclarationNode, Element, FileNode, Span } from "../syntax/ast.js";
import {
  isCamelCase,
  isPackageName,
  isPascalCase,
  isReadName,
  toCamelCase,
  toPackageName,
  toPascalCase,
} from "./names.js";
import { LintCode } from "./rules.js";
import type { LintCodeValue } from "./rules.js";

/** What the rules read of a file and of the program around it. */
export interface LintInput {
  readonly ast: FileNode;
  /**
   * Whether the file has errors. The rules that read resolved names (unused imports and
   * types) are skipped then: what did not resolve would look unused.
   */
  readonly hasErrors: boolean;
  /** Per `ast.imports` entry: the absolute path of the file it names, undefined when missing. */
  readonly importPaths: readonly (string | undefined)[];
  /** The names this file's types and `throws` resolved to. */
  readonly references: readonly Reference[];
  /** The absolute path of the file declaring a qualified name. */
  declaringFile(qualifiedName: string): string | undefined;
  /** Whether any file of the program refers to a qualified name. */
  isReferenced(qualifiedName: string): boolean;
}

export interface LintFinding {
  readonly code: LintCodeValue;
  readonly message: string;
  /** The offending token: a name, the package name, an import string. */
  readonly span: Span;
  /**
   * The first line of the element (its first annotation, or the token itself): a
   * suppression comment above the element's annotations covers it too.
   */
  readonly firstLine: number;
}

const kindNames: Record<DeclarationNode["kind"], string> = {
  enum: "enum",
  record: "record",
  error: "error",
  union: "union",
  interface: "interface",
  callback: "callback",
};

export function lintFile(input: LintInput): LintFinding[] {
  const findings: LintFinding[] = [];
  const report = (
    code: LintCodeValue,
    message: string,
    span: Span,
    annotations: readonly Annotation[] = [],
  ) => {
    let firstLine = span.line;
    for (const annotation of annotations) firstLine = Math.min(firstLine, annotation.span.line);
    findings.push({ code, message, span, firstLine });
  };
  const { ast } = input;

  if (ast.packageSpan === undefined) {
    const first = ast.imports[0]?.span ?? ast.declarations[0]?.span;
    const firstAnnotations = ast.imports.length === 0 ? ast.declarations[0]?.annotations : [];
    report(
      LintCode.PackageDefined,
      "the file declares no package: its names go on the wire unqualified and may collide",
      first ?? { line: 1, column: 1, endLine: 1, endColumn: 1 },
      firstAnnotations,
    );
  } else if (!isPackageName(ast.packageName)) {
    report(
      LintCode.PackageName,
      `package "${ast.packageName}" should be lower-case segments${suggestion(toPackageName(ast.packageName))}`,
      ast.packageSpan,
    );
  }

  for (const node of ast.declarations) lintDeclaration(node, input, report);
  if (!input.hasErrors) {
    lintImports(input, report);
    lintUnusedTypes(input, report);
  }
  return findings.sort((a, b) => a.span.line - b.span.line || a.span.column - b.span.column);
}

type Report = (
  code: LintCodeValue,
  message: string,
  span: Span,
  annotations?: readonly Annotation[],
) => void;

function suggestion(name: string | undefined): string {
  return name === undefined ? "" : ` ("${name}")`;
}

/** Names the parser invented while recovering ("") are not the user's: nothing to say. */
const named = (element: Element) => element.name !== "";

function lintDeclaration(node: DeclarationNode, input: LintInput, report: Report): void {
  const kind = kindNames[node.kind];
  if (named(node) && !isPascalCase(node.name)) {
    report(
      LintCode.TypeName,
      `${kind} "${node.name}" should be named in PascalCase${suggestion(toPascalCase(node.name))}`,
      node.span,
      node.annotations,
    );
  }
  const camel = (element: Element, what: string, owner: string) => {
    if (!named(element) || isCamelCase(element.name)) return;
    report(
      LintCode.FieldName,
      `${what} "${element.name}" of ${owner} should be named in camelCase${suggestion(toCamelCase(element.name))}`,
      element.span,
      element.annotations,
    );
  };
  switch (node.kind) {
    case "enum":
      for (const member of node.members) {
        if (!named(member) || isPascalCase(member.name)) continue;
        report(
          LintCode.EnumMemberName,
          `member "${member.name}" of enum "${node.name}" should be named in PascalCase${suggestion(toPascalCase(member.name))}`,
          member.span,
          member.annotations,
        );
      }
      break;
    case "record":
    case "error":
      for (const field of node.fields) camel(field, "field", `${kind} "${node.name}"`);
      break;
    case "union":
      for (const unionCase of node.cases) camel(unionCase, "case", `union "${node.name}"`);
      break;
    case "interface":
    case "callback":
      if (named(node) && node.doc === undefined) {
        report(
          LintCode.ServiceDoc,
          `${kind} "${node.name}" has no doc comment (///): say what it is for and who implements it`,
          node.span,
          node.annotations,
        );
      }
      for (const method of node.methods) {
        if (!named(method)) continue;
        if (!isCamelCase(method.name)) {
          report(
            LintCode.MethodName,
            `method "${method.name}" of ${kind} "${node.name}" should be named in camelCase${suggestion(toCamelCase(method.name))}`,
            method.span,
            method.annotations,
          );
        }
        if (method.doc === undefined) {
          report(
            LintCode.MethodDoc,
            `method "${method.name}" of ${kind} "${node.name}" has no doc comment (///)`,
            method.span,
            method.annotations,
          );
        }
        const idempotent = method.annotations.some((a) => a.name === "idempotent");
        if (node.kind === "interface" && !method.oneway && !idempotent && isReadName(method.name)) {
          report(
            LintCode.ReadMethodIdempotent,
            `method "${method.name}" reads by its name but is not @idempotent: clients will not retry it after a lost connection`,
            method.span,
            method.annotations,
          );
        }
        for (const param of method.params) camel(param, "parameter", `method "${method.name}"`);
      }
      break;
  }
}

function lintImports(input: LintInput, report: Report): void {
  const used = new Set<string>();
  for (const reference of input.references) {
    const file = input.declaringFile(reference.target);
    if (file !== undefined) used.add(file);
  }
  input.ast.imports.forEach((node, index) => {
    const target = input.importPaths[index];
    if (target === undefined || used.has(target)) return;
    report(
      LintCode.ImportUsed,
      `import "${node.path}" is not used: this file refers to nothing declared there`,
      node.span,
    );
  });
}

function lintUnusedTypes(input: LintInput, report: Report): void {
  const { ast } = input;
  // A file of shared types is there for other programs: only a file with a service says
  // what its own types are for.
  if (!ast.declarations.some((node) => node.kind === "interface")) return;
  for (const node of ast.declarations) {
    if (node.kind === "interface" || !named(node)) continue;
    const qualifiedName = ast.packageName === "" ? node.name : `${ast.packageName}.${node.name}`;
    if (input.isReferenced(qualifiedName)) continue;
    report(
      LintCode.TypeUsed,
      `${kindNames[node.kind]} "${node.name}" is not used: no service, type or throws refers to it`,
      node.span,
      node.annotations,
    );
  }
}
