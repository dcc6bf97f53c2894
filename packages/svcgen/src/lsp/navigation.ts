/**
 * Go to definition, find references and rename: all start from the qualified name of the
 * declaration under the cursor and the references the checker resolved to it.
 */
import type { Range } from "vscode-languageserver";
import type { Span } from "../syntax/ast.js";
import type { AnalyzedFile, WorkspaceAnalysis } from "./analysis.js";
import { qualify } from "./analysis.js";
import type { Target } from "./locate.js";
import { tailSpan, toRange } from "./positions.js";

/** A place in a file, by absolute path: the server turns paths into URIs. */
export interface PathRange {
  readonly path: string;
  readonly range: Range;
}

/** The declaration a target names, and where in the current file that name is written. */
export interface NamedDeclaration {
  readonly qualifiedName: string;
  /** The declared name (the last segment of every qualified reference to it). */
  readonly name: string;
  /** The declaration's own name. */
  readonly declaration: PathRange;
  /** The name under the cursor: what an editor highlights for rename. */
  readonly atCursor: Range;
}

export function namedDeclaration(
  analysis: WorkspaceAnalysis,
  file: AnalyzedFile,
  target: Target,
): NamedDeclaration | undefined {
  if (target.kind === "declaration") {
    if (target.node.name === "") return undefined;
    const range = toRange(target.node.span);
    return {
      qualifiedName: qualify(file.ast.packageName, target.node.name),
      name: target.node.name,
      declaration: { path: file.path, range },
      atCursor: range,
    };
  }
  if (target.kind !== "reference") return undefined;
  const found = analysis.declaration(target.reference.target);
  if (!found) return undefined;
  return {
    qualifiedName: target.reference.target,
    name: found.node.name,
    declaration: { path: found.file.path, range: toRange(found.node.span) },
    atCursor: toRange(lastSegment(target.reference.span, found.node.name)),
  };
}

/** Where go-to-definition leads: the declaration, or the start of an imported file. */
export function definition(
  analysis: WorkspaceAnalysis,
  file: AnalyzedFile,
  target: Target,
): PathRange | undefined {
  if (target.kind === "import") {
    const imported = analysis.get(file.importTargets[target.index]!);
    if (!imported) return undefined;
    const start = { line: 0, character: 0 };
    return { path: imported.path, range: { start, end: start } };
  }
  return namedDeclaration(analysis, file, target)?.declaration;
}

/** Every place naming the declaration: its references, and the declaration if asked. */
export function references(
  analysis: WorkspaceAnalysis,
  named: NamedDeclaration,
  includeDeclaration: boolean,
): PathRange[] {
  const found: PathRange[] = includeDeclaration ? [named.declaration] : [];
  for (const { file, reference } of analysis.referencesTo(named.qualifiedName)) {
    found.push({ path: file.path, range: toRange(lastSegment(reference.span, named.name)) });
  }
  return found;
}

/** Words that cannot name a declaration (IDL.md, lexical rules). */
const keywords = new Set([
  "package",
  "import",
  "enum",
  "record",
  "error",
  "union",
  "interface",
  "callback",
  "oneway",
  "throws",
  "map",
  "void",
  "bool",
  "int32",
  "int64",
  "float64",
  "string",
  "bytes",
  "timestamp",
  "json",
]);

/** Why `newName` cannot replace the declaration's name; undefined when it can. */
export function renameProblem(
  analysis: WorkspaceAnalysis,
  named: NamedDeclaration,
  newName: string,
): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(newName)) return `"${newName}" is not an identifier`;
  if (keywords.has(newName)) return `"${newName}" is a keyword and cannot name a declaration`;
  if (newName === named.name) return undefined;
  const packageName = named.qualifiedName.slice(0, -named.name.length - 1);
  const clash = analysis.declaration(qualify(packageName, newName));
  if (clash) return `"${newName}" is already declared in ${clash.file.displayPath}`;
  return undefined;
}

/** The edits renaming the declaration and every reference to it, grouped by file. */
export function renameEdits(
  analysis: WorkspaceAnalysis,
  named: NamedDeclaration,
  newName: string,
): Map<string, { range: Range; newText: string }[]> {
  const edits = new Map<string, { range: Range; newText: string }[]>();
  for (const place of references(analysis, named, true)) {
    let list = edits.get(place.path);
    if (!list) edits.set(place.path, (list = []));
    list.push({ range: place.range, newText: newName });
  }
  return edits;
}

/** The last segment of a (possibly qualified) name: the part a rename replaces. */
function lastSegment(span: Span, name: string): Span {
  return tailSpan(span, name.length);
}
