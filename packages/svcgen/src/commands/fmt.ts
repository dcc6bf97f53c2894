import { writeFile } from "node:fs/promises";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { formatText } from "../diagnostics/format.js";
import { formatSource } from "../format/index.js";
import { expandInput, readSource } from "../program.js";
import { parseSource } from "../syntax/parse.js";
import type { CommandOutput } from "./check.js";

export interface FmtCommandOptions {
  /** Write nothing; list the files that are not formatted and exit 1 if there are any. */
  readonly check: boolean;
  /** Write nothing; print the formatted text of every file on stdout instead. */
  readonly stdout: boolean;
}

/**
 * `svcgen fmt`: rewrites each file in the canonical layout (only those that change), or with
 * `check` lists the files that would change, or with `stdout` prints the result. A file with
 * syntax errors is left alone and its errors printed on stderr. Returns the exit code: 0 fine,
 * 1 syntax errors or (with `check`) unformatted files; usage and I/O problems throw.
 */
export async function runFmt(
  inputs: readonly string[],
  options: FmtCommandOptions,
  output: CommandOutput,
): Promise<number> {
  const files: { path: string; displayPath: string }[] = [];
  const seen = new Set<string>();
  for (const input of inputs) {
    for (const file of await expandInput(input)) {
      if (seen.has(file.path)) continue;
      seen.add(file.path);
      files.push(file);
    }
  }
  let refused = 0;
  let changed = 0;
  for (const file of files) {
    const text = await readSource(file.path, file.displayPath);
    const formatted = formatSource(text);
    if (formatted === undefined) {
      output.stderr(syntaxReport(file.displayPath, text));
      refused++;
      continue;
    }
    if (options.stdout) {
      output.stdout(formatted);
      continue;
    }
    if (formatted === text) continue;
    changed++;
    if (options.check) output.stdout(`${file.displayPath}\n`);
    else await writeFile(file.path, formatted);
  }
  if (options.check) {
    if (changed > 0) {
      output.stderr(
        `svcgen: ${plural(changed)} not formatted; run \`svcgen fmt\` without --check\n`,
      );
    }
    return refused > 0 || changed > 0 ? 1 : 0;
  }
  if (!options.stdout) {
    const unchanged = files.length - changed - refused;
    const notParsed = refused > 0 ? `, ${refused} left alone (syntax errors)` : "";
    output.stdout(`svcgen: ${plural(changed)} formatted, ${unchanged} unchanged${notParsed}\n`);
  }
  return refused > 0 ? 1 : 0;
}

function plural(count: number): string {
  return `${count} file${count === 1 ? "" : "s"}`;
}

/** The syntax errors that stop a file from being formatted, as `svcgen check` prints them. */
function syntaxReport(displayPath: string, text: string): string {
  const diagnostics: Diagnostic[] = parseSource(text).problems.map((problem) => ({
    file: displayPath,
    ...problem.span,
    severity: "error",
    code: problem.code,
    message: problem.message,
  }));
  return formatText(diagnostics, new Map([[displayPath, text]]));
}
