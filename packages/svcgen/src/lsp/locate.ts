/** What the cursor is on in a file: the one question hover, definition and rename start from. */
import type { Position } from "vscode-languageserver";
import type { Reference } from "../model/check.js";
import type {
  Annotation,
  DeclarationNode,
  Element,
  ImportNode,
  MethodNode,
  ParamNode,
} from "../syntax/ast.js";
import type { AnalyzedFile } from "./analysis.js";
import { touches } from "./positions.js";

export type Target =
  | { readonly kind: "reference"; readonly reference: Reference }
  | { readonly kind: "declaration"; readonly node: DeclarationNode }
  /** A field, enum member, union case or method of `owner`, at `index` in its list. */
  | {
      readonly kind: "member";
      readonly owner: DeclarationNode;
      readonly node: Element;
      readonly index: number;
    }
  | {
      readonly kind: "parameter";
      readonly owner: DeclarationNode;
      readonly method: MethodNode;
      readonly methodIndex: number;
      readonly node: ParamNode;
      readonly index: number;
    }
  | { readonly kind: "import"; readonly node: ImportNode; readonly index: number }
  | { readonly kind: "annotation"; readonly node: Annotation };

export function locate(file: AnalyzedFile, position: Position): Target | undefined {
  for (const reference of file.references) {
    if (touches(reference.span, position)) return { kind: "reference", reference };
  }
  for (const [index, node] of file.ast.imports.entries()) {
    if (touches(node.span, position)) return { kind: "import", node, index };
  }
  for (const owner of file.ast.declarations) {
    const found = locateIn(owner, position);
    if (found) return found;
  }
  return undefined;
}

function locateIn(owner: DeclarationNode, position: Position): Target | undefined {
  const annotation = annotationAt(owner, position);
  if (annotation) return annotation;
  if (touches(owner.span, position)) return { kind: "declaration", node: owner };
  const members = membersOf(owner);
  const methods: readonly MethodNode[] =
    owner.kind === "interface" || owner.kind === "callback" ? owner.methods : [];
  for (const [index, node] of members.entries()) {
    const memberAnnotation = annotationAt(node, position);
    if (memberAnnotation) return memberAnnotation;
    if (touches(node.span, position)) return { kind: "member", owner, node, index };
    const method = methods[index];
    if (!method) continue;
    for (const [paramIndex, param] of method.params.entries()) {
      const paramAnnotation = annotationAt(param, position);
      if (paramAnnotation) return paramAnnotation;
      if (touches(param.span, position)) {
        return {
          kind: "parameter",
          owner,
          method,
          methodIndex: index,
          node: param,
          index: paramIndex,
        };
      }
    }
  }
  return undefined;
}

function annotationAt(element: Element, position: Position): Target | undefined {
  const node = element.annotations.find((annotation) => touches(annotation.span, position));
  return node ? { kind: "annotation", node } : undefined;
}

/** The fields, members, cases or methods of a declaration, in source order. */
export function membersOf(owner: DeclarationNode): readonly Element[] {
  switch (owner.kind) {
    case "enum":
      return owner.members;
    case "union":
      return owner.cases;
    case "record":
    case "error":
      return owner.fields;
    case "interface":
    case "callback":
      return owner.methods;
  }
}
