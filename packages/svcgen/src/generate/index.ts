import path from "node:path";
import type { Model } from "../model/model.js";
import { outputPath } from "./module-context.js";
import { PRINT_WIDTH, type PrintedModule } from "./printer.js";
import { emitModule } from "./typescript.js";

export { contractHash, contractText } from "./contract-hash.js";
export { GenerateError } from "./generate-error.js";

/** One generated file: `path` is relative to the output folder, with `/` separators. */
export interface GeneratedFile {
  readonly path: string;
  readonly text: string;
}

export interface GenerateOptions {
  /** Absolute folder the output tree mirrors: `x/y.svc` below it becomes `x/y.ts`. */
  readonly root: string;
}

/** True when `file` is `root` or below it. */
export function isBelow(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
}

/**
 * Every module for the files of `model` below `options.root`, formatted and deterministic,
 * sorted by path. Throws `GenerateError` when a name cannot be generated.
 */
export async function generateFiles(
  model: Model,
  options: GenerateOptions,
): Promise<GeneratedFile[]> {
  const root = path.resolve(options.root);
  const moduleOf = new Map<string, string>();
  for (const file of model.files) {
    for (const decl of file.declarations) moduleOf.set(decl.qualifiedName, outputPath(root, file));
  }
  const files: GeneratedFile[] = [];
  for (const file of model.files) {
    if (!isBelow(root, file.path)) continue;
    const modulePath = outputPath(root, file);
    const sourcePath = path.relative(root, file.path).split(path.sep).join("/");
    const printed = emitModule(model, file, sourcePath, modulePath, moduleOf);
    files.push({ path: modulePath, text: await formatModule(printed) });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * The module's final text. The emitters already print prettier's layout wherever they can
 * be sure of it; prettier formats only the segments marked as not certain. Top-level
 * statements are formatted independently of each other, so formatting a segment on its
 * own gives the same bytes as formatting the whole file.
 */
async function formatModule(printed: PrintedModule): Promise<string> {
  let text = printed.head;
  for (const segment of printed.segments) {
    if (!segment.needsFormatting) {
      text += segment.lines.join("\n") + "\n";
      continue;
    }
    const lines = segment.lines;
    let start = 0;
    let end = lines.length;
    while (start < end && lines[start] === "") start++;
    while (end > start && lines[end - 1] === "") end--;
    const code = lines.slice(start, end).join("\n");
    text += "\n".repeat(start) + (code === "" ? "" : await format(code));
    text += "\n".repeat(lines.length - end);
  }
  return text;
}

/**
 * Prettier with fixed options, so the bytes do not depend on any config file around.
 * Loaded on first use: most runs format nothing, and loading prettier takes a while.
 */
async function format(text: string): Promise<string> {
  const prettier = await import("prettier");
  return prettier.format(text, { parser: "typescript", printWidth: PRINT_WIDTH });
}
