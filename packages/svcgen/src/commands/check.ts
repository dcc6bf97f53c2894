import { formatDiagnostics, loadProgram } from "../program.js";

/** Where a command writes; the CLI passes the process streams, tests pass buffers. */
export interface CommandOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface CheckCommandOptions {
  readonly format: "text" | "json";
}

/**
 * `svcgen check`: prints every problem of the program (nothing in text format when there
 * are none, `[]` in JSON) and returns the exit code: 0 clean, 1 with errors. Usage and I/O
 * problems throw `UsageError` (exit 2, reported by the CLI).
 */
export async function runCheck(
  inputs: readonly string[],
  options: CheckCommandOptions,
  output: CommandOutput,
): Promise<number> {
  const program = await loadProgram(inputs);
  const report = formatDiagnostics(program, options.format);
  if (report !== "") output.stdout(report);
  return program.model ? 0 : 1;
}
