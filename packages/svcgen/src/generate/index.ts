import path from "node:path";
import * as prettier from "prettier";
import type { Model } from "../model/model.js";
import { outputPath } from "./module-context.js";
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
    const text = emitModule(model, file, sourcePath, modulePath, moduleOf);
    files.push({ path: modulePath, text: await format(text) });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Prettier with fixed options, so the bytes do not depend on any config file around. */
function format(text: string): Promise<string> {
  return prettier.format(text, { parser: "typescript", printWidth: 100 });
}
