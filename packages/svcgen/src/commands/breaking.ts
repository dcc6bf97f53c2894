import { compareModels } from "../breaking/compare.js";
import { loadOldVersion } from "../breaking/against.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { formatJson, formatText } from "../diagnostics/format.js";
import { formatDiagnostics, loadProgram } from "../program.js";
import type { CommandOutput } from "./check.js";

export interface BreakingCommandOptions {
  /** A folder holding the old version, or a git revision to read the inputs at. */
  readonly against: string;
  readonly format: "text" | "json";
}

/**
 * `svcgen breaking`: compares the inputs with their old version and prints every change that
 * breaks a deployed client or server (docs/breaking.md). Returns 0 when there is none, 1 when
 * there are (or the new version has errors); a problem with the old version is exit 2.
 */
export async function runBreaking(
  inputs: readonly string[],
  options: BreakingCommandOptions,
  output: CommandOutput,
): Promise<number> {
  const current = await loadProgram(inputs);
  if (!current.model) {
    output.stdout(formatDiagnostics(current, options.format));
    return 1;
  }
  const old = await loadOldVersion(options.against, inputs);
  if (!old.program.model) {
    const report = formatText(
      old.program.diagnostics.map((d) => ({ ...d, file: old.shownPath(d.file) })),
      new Map([...old.program.sources].map(([file, text]) => [old.shownPath(file), text])),
    );
    output.stderr(`svcgen: the version to compare against has errors:\n${report}`);
    return 2;
  }
  const diagnostics: Diagnostic[] = compareModels(old.program.model, current.model).map(
    (change) => ({
      file: old.shownPath(change.span.file),
      line: change.span.line,
      column: change.span.column,
      endLine: change.span.endLine,
      endColumn: change.span.endColumn,
      severity: "error",
      code: change.code,
      message: change.message,
    }),
  );
  const sources = new Map([
    ...[...old.program.sources].map(([file, text]) => [old.shownPath(file), text] as const),
    ...current.sources,
  ]);
  const report =
    options.format === "json" ? formatJson(diagnostics) : formatText(diagnostics, sources);
  if (report !== "") output.stdout(report);
  return diagnostics.length > 0 ? 1 : 0;
}
