/** How the language server shows elements of the IDL in hovers: resolved types, docs. */
import type { Declaration, Deprecation, Method } from "../model/model.js";
import { typeText } from "../model/type-text.js";
import type { DeclarationNode, TypeNode } from "../syntax/ast.js";
import type { AnalyzedFile, WorkspaceAnalysis } from "./analysis.js";
import { annotationDocs } from "./annotation-docs.js";
import { qualify } from "./analysis.js";
import type { Target } from "./locate.js";

/** A type as written, for elements the model does not hold (a file that failed to check). */
function writtenTypeText(type: TypeNode | undefined): string {
  if (!type) return "?";
  switch (type.kind) {
    case "primitive":
    case "named":
      return type.name;
    case "void":
      return "void";
    case "list":
      return `${writtenTypeText(type.element)}[]`;
    case "map":
      return `map<string, ${writtenTypeText(type.value)}>`;
  }
}

/** The model's declaration for a syntax node of `file` (matched by the span of its name). */
export function modelDeclaration(
  file: AnalyzedFile,
  node: DeclarationNode,
): Declaration | undefined {
  return file.model?.declarations.find(
    (declaration) =>
      declaration.span.line === node.span.line && declaration.span.column === node.span.column,
  );
}

/** Markdown for a hover on `target` in `file`. */
export function describeTarget(
  analysis: WorkspaceAnalysis,
  file: AnalyzedFile,
  target: Target,
): string | undefined {
  switch (target.kind) {
    case "reference": {
      const found = analysis.declaration(target.reference.target);
      return found ? describeDeclaration(found.file, found.node, true) : undefined;
    }
    case "declaration":
      return describeDeclaration(file, target.node, false);
    case "member":
      return describeMember(file, target);
    case "parameter": {
      const model = modelDeclaration(file, target.owner);
      const method = model && "methods" in model ? model.methods[target.methodIndex] : undefined;
      const param = method?.params[target.index];
      const type = param ? typeText(param.type) : writtenTypeText(target.node.type);
      const optional = target.node.optional ? "?" : "";
      return section(`(parameter) ${target.node.name}${optional}: ${type}`, target.node.doc);
    }
    case "import": {
      const imported = analysis.get(file.importTargets[target.index]!);
      if (!imported) return undefined;
      const packageLine =
        imported.ast.packageName === "" ? "" : `\npackage ${imported.ast.packageName};`;
      return section(
        `import "${target.node.path}";${packageLine}`,
        imported.ast.doc,
        undefined,
        `\`${imported.displayPath}\``,
      );
    }
    case "annotation": {
      const doc = annotationDocs.find((known) => known.name === target.node.name);
      return doc?.summary;
    }
  }
}

function describeDeclaration(
  file: AnalyzedFile,
  node: DeclarationNode,
  elsewhere: boolean,
): string {
  const model = modelDeclaration(file, node);
  const name = qualify(file.ast.packageName, node.name);
  const status = model?.kind === "error" ? `\n@status(${model.status})` : "";
  const head = `${node.kind} ${name}${status}`;
  const where = elsewhere ? `Declared in \`${file.displayPath}\`.` : undefined;
  return section(head, node.doc, model?.deprecated, where);
}

function describeMember(file: AnalyzedFile, target: Extract<Target, { kind: "member" }>): string {
  const { owner, node, index } = target;
  const model = modelDeclaration(file, owner);
  const ownerName = owner.name;
  switch (owner.kind) {
    case "enum":
      return section(`(enum member) ${ownerName}.${node.name}`, node.doc);
    case "union": {
      const resolved = model?.kind === "union" ? model.cases[index] : undefined;
      const type = resolved ? typeText(resolved.type) : writtenTypeText(owner.cases[index]?.type);
      return section(`(case) ${ownerName}.${node.name}: ${type}`, node.doc, resolved?.deprecated);
    }
    case "record":
    case "error": {
      const resolved = model?.kind === owner.kind ? model.fields[index] : undefined;
      const written = owner.fields[index];
      const type = resolved ? typeText(resolved.type) : writtenTypeText(written?.type);
      const optional = written?.optional ? "?" : "";
      return section(
        `(field) ${ownerName}.${node.name}${optional}: ${type}`,
        node.doc,
        resolved?.deprecated,
      );
    }
    case "interface":
    case "callback": {
      const resolved =
        model?.kind === owner.kind ? (model.methods[index] as Method | undefined) : undefined;
      const signature = resolved
        ? methodSignature(resolved)
        : `${owner.methods[index]?.oneway ? "oneway " : ""}${node.name}(…)`;
      return section(`(method) ${ownerName}.${signature}`, node.doc, resolved?.deprecated);
    }
  }
}

function methodSignature(method: Method): string {
  const params = method.params
    .map((param) => `${param.name}${param.optional ? "?" : ""}: ${typeText(param.type)}`)
    .join(", ");
  const returns = method.returns ? `: ${typeText(method.returns)}` : "";
  const throws = method.throws.length > 0 ? ` throws ${method.throws.join(", ")}` : "";
  const prefix = `${method.oneway ? "oneway " : ""}${method.idempotent ? "@idempotent " : ""}`;
  return `${prefix}${method.name}(${params})${returns}${throws}`;
}

function section(code: string, doc?: string, deprecated?: Deprecation, where?: string): string {
  const parts = ["```svc\n" + code + "\n```"];
  if (deprecated !== undefined) {
    parts.push(deprecated === true ? "**Deprecated.**" : `**Deprecated:** ${deprecated}`);
  }
  if (doc !== undefined) parts.push(doc);
  if (where !== undefined) parts.push(where);
  return parts.join("\n\n");
}
