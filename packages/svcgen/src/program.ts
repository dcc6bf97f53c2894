/**
 * A program: the .svc files named on the command line and everything they import, parsed,
 * resolved and checked. Both `svcgen check` and `svcgen generate` start here.
 */
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import type { Diagnostic } from "./diagnostics/diagnostic.js";
import { Code } from "./diagnostics/diagnostic.js";
import type { Problem } from "./diagnostics/diagnostic.js";
import { formatJson, formatText } from "./diagnostics/format.js";
import { checkProgram } from "./model/check.js";
import type { CheckInput, Reference } from "./model/check.js";
import type { Model } from "./model/model.js";
import type { ImportNode } from "./syntax/ast.js";
import { describeIoError, SourceReader } from "./source-reader.js";
import { compareProblems } from "./diagnostics/diagnostic.js";
import { parseSourceLazily } from "./syntax/parse-lazily.js";
import { UsageError } from "./usage-error.js";

export { UsageError } from "./usage-error.js";
export { readSource } from "./source-reader.js";

export interface Program {
  /** Set only when there are no errors. */
  model?: Model;
  /** Every problem, file by file (in the order files were reached), each file in source order. */
  diagnostics: Diagnostic[];
  /** displayPath → text, for carets. */
  sources: ReadonlyMap<string, string>;
  /** Absolute nearest common folder of all files in the program. */
  root: string;
}

interface LoadedFile extends CheckInput {
  readonly problems: Problem[];
  /** Named on the command line, or found in a folder named there (not only imported). */
  readonly isInput: boolean;
}

/** One file of a program, with what the checker found in it: for tools that read past the model. */
export interface ProgramFile extends CheckInput {
  readonly text: string;
  /** Named on the command line, or found in a folder named there (not only imported). */
  readonly isInput: boolean;
  /** Whether any diagnostic of the file is an error. */
  readonly hasErrors: boolean;
  /** The names its types and `throws` resolved to, in source order. */
  readonly references: readonly Reference[];
}

/** A program and its files, in the order they were reached. */
export interface CheckedProgram {
  readonly program: Program;
  readonly files: readonly ProgramFile[];
}

/** Loads, parses and checks `inputs` (files, or folders standing for every `*.svc` below). */
export async function loadProgram(inputs: readonly string[]): Promise<Program> {
  return (await load(inputs, { references: false })).program;
}

/** `loadProgram`, keeping each file's syntax tree, text and resolved references. */
export function loadCheckedProgram(inputs: readonly string[]): Promise<CheckedProgram> {
  return load(inputs, { references: true });
}

async function load(
  inputs: readonly string[],
  options: { readonly references: boolean },
): Promise<CheckedProgram> {
  if (inputs.length === 0) throw new UsageError("no input files or folders given");
  const queue: { path: string; displayPath: string }[] = [];
  for (const input of inputs) queue.push(...(await expandInput(input)));
  const inputCount = queue.length;

  const files: LoadedFile[] = [];
  const sources = new Map<string, string>();
  const seen = new Set<string>();
  const reader = new SourceReader();
  function* upcoming(from: number) {
    for (let index = from; index < queue.length; index++) {
      const { path: absolute } = queue[index]!;
      if (!seen.has(absolute)) yield absolute;
    }
  }
  for (let next = 0; next < queue.length; next++) {
    const { path: absolute, displayPath } = queue[next]!;
    if (seen.has(absolute)) continue;
    seen.add(absolute);
    const text = await reader.text(absolute, displayPath);
    reader.readAhead(upcoming(next + 1));
    sources.set(displayPath, text);
    const parsed = await parseSourceLazily(text);
    const problems = [...parsed.problems];
    const importPaths: (string | undefined)[] = [];
    const targets = parsed.file.imports.map((node) =>
      path.resolve(path.dirname(absolute), node.path),
    );
    const exists = await Promise.all(targets.map((target) => reader.isFile(target)));
    for (const [index, node] of parsed.file.imports.entries()) {
      const target = targets[index]!;
      const targetDisplay = path.join(path.dirname(displayPath), node.path);
      if (node.path === "" || !exists[index]) {
        problems.push(importNotFound(node, targetDisplay));
        importPaths.push(undefined);
        continue;
      }
      importPaths.push(target);
      queue.push({ path: target, displayPath: targetDisplay });
    }
    const isInput = next < inputCount;
    files.push({ path: absolute, displayPath, ast: parsed.file, importPaths, problems, isInput });
  }

  const checked = checkProgram(files, options);
  const diagnostics: Diagnostic[] = [];
  const programFiles: ProgramFile[] = [];
  for (const file of files) {
    const problems = [...file.problems, ...(checked.problems.get(file.path) ?? [])];
    problems.sort(compareProblems);
    programFiles.push({
      path: file.path,
      displayPath: file.displayPath,
      ast: file.ast,
      importPaths: file.importPaths,
      text: sources.get(file.displayPath)!,
      isInput: file.isInput,
      hasErrors: problems.length > 0,
      references: checked.references.get(file.path) ?? [],
    });
    for (const problem of problems) {
      diagnostics.push({
        file: file.displayPath,
        ...problem.span,
        severity: "error",
        code: problem.code,
        message: problem.message,
      });
    }
  }
  const hasErrors = diagnostics.some((diagnostic) => diagnostic.severity === "error");
  const program: Program = {
    ...(hasErrors ? {} : { model: checked.model }),
    diagnostics,
    sources,
    root: commonFolder(files.map((file) => path.dirname(file.path))),
  };
  return { program, files: programFiles };
}

/** The problem reported at an import whose file does not exist (`lookedFor`: its display path). */
export function importNotFound(node: ImportNode, lookedFor: string): Problem {
  return {
    code: Code.ImportNotFound,
    message: `cannot find imported file "${node.path}" (looked for ${lookedFor})`,
    span: node.span,
  };
}

export function formatDiagnostics(program: Program, format: "text" | "json"): string {
  return format === "json"
    ? formatJson(program.diagnostics)
    : formatText(program.diagnostics, program.sources);
}

/** A file stands for itself; a folder for every `*.svc` below it, sorted. */
export async function expandInput(input: string): Promise<{ path: string; displayPath: string }[]> {
  const absolute = path.resolve(input);
  let info;
  try {
    info = await stat(absolute);
  } catch (error) {
    throw new UsageError(`${input}: ${describeIoError(error)}`);
  }
  if (!info.isDirectory()) return [{ path: absolute, displayPath: input }];
  const found = (await listSvcFiles(absolute)).sort();
  if (found.length === 0) throw new UsageError(`${input}: no .svc files in this folder`);
  return found.map((relative) => ({
    path: path.join(absolute, relative),
    displayPath: path.join(input, relative),
  }));
}

async function listSvcFiles(folder: string, prefix = ""): Promise<string[]> {
  const entries = await readdir(path.join(folder, prefix), { withFileTypes: true });
  const found: string[] = [];
  for (const entry of entries) {
    const relative = path.join(prefix, entry.name);
    if (entry.isDirectory()) found.push(...(await listSvcFiles(folder, relative)));
    else if (entry.isFile() && entry.name.endsWith(".svc")) found.push(relative);
  }
  return found;
}

/** The deepest folder containing all of `folders` (absolute paths). */
function commonFolder(folders: readonly string[]): string {
  if (folders.length === 0) return process.cwd();
  let common = folders[0]!.split(path.sep);
  for (const folder of folders.slice(1)) {
    const parts = folder.split(path.sep);
    let i = 0;
    while (i < common.length && i < parts.length && common[i] === parts[i]) i++;
    common = common.slice(0, i);
  }
  return common.join(path.sep) || path.sep;
}
