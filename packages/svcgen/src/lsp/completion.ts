/**
 * Completion: types where a type is written (primitives and the declarations the file can
 * see, qualified when imported from another package), errors after `throws`, annotations
 * after `@`, and declaration keywords at the top level. The context comes from the lexer
 * over the text before the cursor, so comments and strings never confuse it.
 */
import type { IToken, TokenType } from "chevrotain";
import { tokenMatcher } from "chevrotain";
import type { CompletionItem, Position } from "vscode-languageserver";
import { CompletionItemKind, InsertTextFormat, MarkupKind } from "vscode-languageserver";
import type { DeclarationNode } from "../syntax/ast.js";
import * as T from "../syntax/tokens.js";
import type { AnalyzedFile, WorkspaceAnalysis } from "./analysis.js";
import { qualify } from "./analysis.js";
import { annotationDocs } from "./annotation-docs.js";

type Context = "type" | "throws" | "annotation" | "statement";

const primitiveNames = [
  "bool",
  "int32",
  "int64",
  "float64",
  "string",
  "bytes",
  "timestamp",
  "json",
];
const statementKeywords = ["enum", "record", "error", "union", "interface", "callback", "import"];

const kindOfDeclaration: Record<DeclarationNode["kind"], CompletionItemKind> = {
  enum: CompletionItemKind.Enum,
  record: CompletionItemKind.Struct,
  error: CompletionItemKind.Class,
  union: CompletionItemKind.Class,
  interface: CompletionItemKind.Interface,
  callback: CompletionItemKind.Interface,
};

export function complete(
  analysis: WorkspaceAnalysis,
  file: AnalyzedFile,
  offset: number,
  position: Position,
): CompletionItem[] {
  const tokens = T.svcLexer.tokenize(file.text.slice(0, offset)).tokens;
  const start = partialStart(tokens, offset);
  const typed = start < tokens.length ? file.text.slice(tokens[start]!.startOffset, offset) : "";
  const context = contextAt(tokens, start);
  if (!context) return [];
  const range = {
    start: { line: position.line, character: position.character - typed.length },
    end: position,
  };
  // A partial name spanning lines (`a.\n b`) is rare; complete only what is on this line.
  if (typed.includes("\n") || typed.includes("\r")) return [];
  const item = (label: string, kind: CompletionItemKind, extra: Partial<CompletionItem> = {}) => ({
    label,
    kind,
    filterText: label,
    textEdit: { range, newText: label },
    ...extra,
  });

  switch (context) {
    case "annotation":
      return annotationDocs.map((doc) =>
        item(doc.name, CompletionItemKind.Property, {
          textEdit: { range, newText: doc.snippet },
          insertTextFormat: InsertTextFormat.Snippet,
          documentation: { kind: MarkupKind.Markdown, value: doc.summary },
        }),
      );
    case "statement":
      return statementKeywords.map((word) => item(word, CompletionItemKind.Keyword));
    case "type":
    case "throws": {
      // After `a.b.`, only names in (or below) package `a.b` fit.
      const qualifiedOnly = typed.includes(".");
      const qualifier = typed.slice(0, typed.lastIndexOf(".") + 1);
      const items: CompletionItem[] = [];
      if (context === "type" && !qualifiedOnly) {
        for (const name of primitiveNames) items.push(item(name, CompletionItemKind.Keyword));
      }
      const sources = [file, ...file.importTargets.map((target) => analysis.get(target))];
      const seen = new Set<string>();
      for (const source of sources) {
        if (!source) continue;
        for (const node of source.ast.declarations) {
          if (node.name === "" || !fits(node, context)) continue;
          const qualified = qualify(source.ast.packageName, node.name);
          const samePackage = source.ast.packageName === file.ast.packageName;
          const label = samePackage && !qualifiedOnly ? node.name : qualified;
          if (seen.has(label) || !label.startsWith(qualifier)) continue;
          seen.add(label);
          items.push(
            item(label, kindOfDeclaration[node.kind], {
              detail: `${node.kind} ${qualified}`,
              ...(node.doc === undefined
                ? {}
                : { documentation: { kind: MarkupKind.Markdown, value: node.doc } }),
            }),
          );
        }
      }
      return items;
    }
  }
}

/** Declarations that may be written in the context: no interface or error as a type. */
function fits(node: DeclarationNode, context: "type" | "throws"): boolean {
  if (context === "throws") return node.kind === "error";
  return node.kind !== "interface" && node.kind !== "error";
}

/**
 * Index of the first token of the (possibly qualified, possibly empty) name ending at the
 * cursor: `tokens.length` when the cursor follows something else.
 */
function partialStart(tokens: readonly IToken[], offset: number): number {
  let index = tokens.length;
  let end = offset;
  let last: "name" | "dot" | undefined;
  // Walk back over adjacent tokens alternating names and dots: `a.b.c`, `a.b.`, `a`.
  while (index > 0) {
    const token = tokens[index - 1]!;
    if (token.endOffset! + 1 !== end) break;
    const kind = is(token, T.Dot) ? "dot" : tokenMatcher(token, T.Name) ? "name" : undefined;
    if (kind === undefined || kind === last) break;
    last = kind;
    end = token.startOffset;
    index--;
  }
  return index;
}

function contextAt(tokens: readonly IToken[], start: number): Context | undefined {
  const before = tokens[start - 1];
  if (!before) return "statement";
  if (is(before, T.At)) return "annotation";
  if (is(before, T.Colon) || is(before, T.LAngle)) return "type";
  if (is(before, T.Throws)) return "throws";
  if (is(before, T.Comma)) {
    // Inside `map<string, …>`, or a list of thrown errors.
    for (let index = start - 2; index >= 0; index--) {
      const token = tokens[index]!;
      if (is(token, T.LAngle)) return "type";
      if (is(token, T.Throws)) return "throws";
      if (
        is(token, T.Semicolon) ||
        is(token, T.LBrace) ||
        is(token, T.RBrace) ||
        is(token, T.RAngle) ||
        is(token, T.LParen)
      ) {
        return undefined;
      }
    }
    return undefined;
  }
  if (is(before, T.Semicolon) || is(before, T.RBrace)) {
    let depth = 0;
    for (const token of tokens.slice(0, start)) {
      if (is(token, T.LBrace)) depth++;
      else if (is(token, T.RBrace)) depth = Math.max(0, depth - 1);
    }
    return depth === 0 ? "statement" : undefined;
  }
  return undefined;
}

function is(token: IToken, type: TokenType): boolean {
  return token.tokenType === type;
}
