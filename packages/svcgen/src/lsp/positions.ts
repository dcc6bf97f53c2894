/**
 * Between the compiler's spans (1-based lines and columns, end exclusive) and LSP positions
 * (0-based). Both count UTF-16 code units, the LSP default encoding.
 */
import type { Position, Range } from "vscode-languageserver";
import type { Span } from "../syntax/ast.js";

export function toRange(span: Span): Range {
  return {
    start: { line: span.line - 1, character: span.column - 1 },
    end: { line: span.endLine - 1, character: span.endColumn - 1 },
  };
}

/** Whether the cursor is on the span; a cursor just after its last character counts. */
export function touches(span: Span, position: Position): boolean {
  const line = position.line + 1;
  const column = position.character + 1;
  if (line < span.line || line > span.endLine) return false;
  if (line === span.line && column < span.column) return false;
  if (line === span.endLine && column > span.endColumn) return false;
  return true;
}

/** The span of the last `length` characters of `span`: the last segment of a qualified name. */
export function tailSpan(span: Span, length: number): Span {
  return {
    line: span.endLine,
    column: span.endColumn - length,
    endLine: span.endLine,
    endColumn: span.endColumn,
  };
}
