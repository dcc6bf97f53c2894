import path from "node:path";
import { generateFiles, GenerateError, isBelow } from "../generate/index.js";
import { outdatedFiles, writeGeneratedFiles } from "../generate/output.js";
import { formatDiagnostics, loadProgram, UsageError } from "../program.js";
import type { CommandOutput } from "./check.js";

const processOutput: CommandOutput = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

export interface GenerateCommandOptions {
  readonly out: string;
  readonly root?: string;
  readonly check: boolean;
  readonly format: "text" | "json";
}

/**
 * `svcgen generate`: checks the IDL, then writes (or with `check`, compares) one module
 * per file under `options.out`. Returns the process exit code: 0 fine; 1 the IDL has
 * errors, or with `check` files are missing or stale; 2 a usage or I/O problem.
 */
export async function runGenerate(
  inputs: readonly string[],
  options: GenerateCommandOptions,
  output: CommandOutput = processOutput,
): Promise<number> {
  return (await generateOnce(inputs, options, output)).exitCode;
}

export interface GenerateRun {
  readonly exitCode: number;
  /** Absolute paths of every .svc file read (inputs and imports): what a watcher watches. */
  readonly sources: readonly string[];
}

/** One run of `svcgen generate`, reporting to `output` as the command does. */
export async function generateOnce(
  inputs: readonly string[],
  options: GenerateCommandOptions,
  output: CommandOutput = processOutput,
): Promise<GenerateRun> {
  const sources: string[] = [];
  try {
    return { exitCode: await generate(inputs, options, output, sources), sources };
  } catch (error) {
    if (error instanceof GenerateError) {
      output.stderr(`svcgen: ${error.message}\n`);
      return { exitCode: 1, sources };
    }
    if (error instanceof UsageError || isIoError(error)) {
      output.stderr(`svcgen: ${(error as Error).message}\n`);
      return { exitCode: 2, sources };
    }
    throw error;
  }
}

async function generate(
  inputs: readonly string[],
  options: GenerateCommandOptions,
  output: CommandOutput,
  sources: string[],
): Promise<number> {
  const program = await loadProgram(inputs);
  for (const displayPath of program.sources.keys()) sources.push(path.resolve(displayPath));
  if (program.model === undefined) {
    const text = formatDiagnostics(program, options.format);
    const report = text.endsWith("\n") ? text : `${text}\n`;
    if (options.format === "json") output.stdout(report);
    else output.stderr(report);
    return 1;
  }
  const root = path.resolve(options.root ?? program.root);
  for (const file of program.model.files) {
    if (!isBelow(root, file.path)) {
      throw new UsageError(
        `${file.displayPath} is outside the root folder ${options.root ?? root}; ` +
          `pass a --root that contains every input and import`,
      );
    }
  }
  const files = await generateFiles(program.model, { root });
  const shown = (file: string) => path.join(options.out, file);
  if (options.check) {
    const outdated = await outdatedFiles(files, options.out);
    for (const file of outdated) output.stderr(`${file.state}: ${shown(file.path)}\n`);
    if (outdated.length > 0) {
      output.stderr("svcgen: run `svcgen generate` without --check to update them\n");
      return 1;
    }
    return 0;
  }
  const written = await writeGeneratedFiles(files, options.out);
  output.stdout(
    `${generatedSummary(written.length, files.length - written.length, options.out)}\n`,
  );
  return 0;
}

/** The one line `generate` prints on success: `svcgen: 3 files written, 9 unchanged in generated`. */
export function generatedSummary(written: number, unchanged: number, outDir: string): string {
  const files = (count: number) => `${count} file${count === 1 ? "" : "s"}`;
  return `svcgen: ${files(written)} written, ${unchanged} unchanged in ${outDir}`;
}

/** A failure of the file system (unreadable input, unwritable output): exit 2. */
function isIoError(error: unknown): boolean {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === "string";
}
