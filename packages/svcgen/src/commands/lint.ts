import path from "node:path";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { formatJson, formatText } from "../diagnostics/format.js";
import { LintConfigError, LintConfigFinder, lintSource, parseLintConfig } from "../lint/index.js";
import type { LintConfig } from "../lint/index.js";
import { readIfPresent } from "../lint/config.js";
import { loadCheckedProgram, UsageError } from "../program.js";
import type { ProgramFile } from "../program.js";
import type { CommandOutput } from "./check.js";

export interface LintCommandOptions {
  readonly format: "text" | "json";
  /** A config file to use for every input instead of the nearest `svcgen.json`. */
  readonly config?: string;
  /** Exit 1 on any warning. */
  readonly strict?: boolean;
  /** Exit 1 when there are more warnings than this. */
  readonly maxWarnings?: number;
}

/**
 * `svcgen lint`: the checker's errors and the lint rules' problems (docs/lint.md) of the
 * files named (not of files only imported), file by file in source order, in the format of
 * `svcgen check`. Exit 1 with an error (a rule the config made an error included), or with
 * warnings under `--strict` or beyond `--max-warnings`; 0 otherwise.
 */
export async function runLint(
  inputs: readonly string[],
  options: LintCommandOptions,
  output: CommandOutput,
): Promise<number> {
  const { program, files } = await loadCheckedProgram(inputs);
  const configOf = configLookup(options.config);

  const declaringFile = new Map<string, string>();
  const referenced = new Set<string>();
  for (const file of files) {
    for (const node of file.ast.declarations) {
      const name = file.ast.packageName === "" ? node.name : `${file.ast.packageName}.${node.name}`;
      if (!declaringFile.has(name)) declaringFile.set(name, file.path);
    }
    for (const reference of file.references) referenced.add(reference.target);
  }

  const diagnostics: Diagnostic[] = [];
  for (const file of files) {
    const fileDiagnostics = program.diagnostics.filter((d) => d.file === file.displayPath);
    if (file.isInput) fileDiagnostics.push(...lintDiagnostics(file));
    fileDiagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
    diagnostics.push(...fileDiagnostics);
  }

  function lintDiagnostics(file: ProgramFile): Diagnostic[] {
    const input = {
      ast: file.ast,
      hasErrors: file.hasErrors,
      importPaths: file.importPaths,
      references: file.references,
      declaringFile: (name: string) => declaringFile.get(name),
      isReferenced: (name: string) => referenced.has(name),
    };
    return lintSource(input, file.text, file.path, configOf(file.path)).map((problem) => ({
      file: file.displayPath,
      ...problem.span,
      severity: problem.severity,
      code: problem.code,
      message: problem.message,
    }));
  }

  const report =
    options.format === "json" ? formatJson(diagnostics) : formatText(diagnostics, program.sources);
  if (report !== "") output.stdout(report);
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  if (errors > 0) return 1;
  if (options.strict && warnings > 0) return 1;
  if (options.maxWarnings !== undefined && warnings > options.maxWarnings) return 1;
  return 0;
}

/** The config of each file: the one given, or the nearest `svcgen.json`. Bad configs: exit 2. */
function configLookup(given: string | undefined): (absolute: string) => LintConfig | undefined {
  try {
    if (given !== undefined) {
      const file = path.resolve(given);
      const text = readIfPresent(file);
      if (text === undefined) throw new UsageError(`${given}: no such file`);
      const config = parseLintConfig(text, file);
      return () => config;
    }
  } catch (error) {
    throw error instanceof LintConfigError ? new UsageError(error.message) : error;
  }
  const finder = new LintConfigFinder();
  return (absolute) => {
    try {
      return finder.forFile(absolute);
    } catch (error) {
      throw error instanceof LintConfigError ? new UsageError(error.message) : error;
    }
  };
}
