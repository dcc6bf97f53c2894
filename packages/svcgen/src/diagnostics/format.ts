/** The two output formats of diagnostics: human text with carets, and a JSON array. */
import type { Diagnostic } from "./diagnostic.js";

/**
 * `path:line:column: error SVC2003: message` (severity and stable code, as compilers print
 * them), then the source line and carets under the offending
 * token (to the end of the line when the token spans lines). Tabs in the line are kept in
 * the caret line so the carets stay aligned.
 */
export function formatText(
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, string>,
): string {
  const lineCache = new Map<string, string[]>();
  const linesOf = (file: string): string[] | undefined => {
    let lines = lineCache.get(file);
    if (!lines) {
      const text = sources.get(file);
      if (text === undefined) return undefined;
      lines = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
      lineCache.set(file, lines);
    }
    return lines;
  };
  let out = "";
  for (const diagnostic of diagnostics) {
    out += `${diagnostic.file}:${diagnostic.line}:${diagnostic.column}: ${diagnostic.severity} ${diagnostic.code}: ${diagnostic.message}\n`;
    const line = linesOf(diagnostic.file)?.[diagnostic.line - 1];
    if (line === undefined) continue;
    const shown = printable(line);
    const start = Math.min(diagnostic.column - 1, shown.length);
    const end =
      diagnostic.endLine === diagnostic.line
        ? Math.min(diagnostic.endColumn - 1, shown.length)
        : shown.length;
    const indent = shown.slice(0, start).replace(/[^\t]/g, " ");
    out += `${shown}\n${indent}${"^".repeat(Math.max(1, end - start))}\n`;
  }
  return out;
}

/** Control characters (a NUL, say) would garble a terminal: shown as spaces, same width. */
function printable(line: string): string {
  // eslint-disable-next-line no-control-regex
  return line.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, " ");
}

/** `[{ file, line, column, endLine, endColumn, severity, code, message }, ...]`. */
export function formatJson(diagnostics: readonly Diagnostic[]): string {
  const plain = diagnostics.map(
    ({ file, line, column, endLine, endColumn, severity, code, message }) => ({
      file,
      line,
      column,
      endLine,
      endColumn,
      severity,
      code,
      message,
    }),
  );
  return JSON.stringify(plain, null, 2) + "\n";
}
