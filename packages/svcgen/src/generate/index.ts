import type { Model } from "../model/model.js";

/** One generated file: `path` is relative to the output folder, with `/` separators. */
export interface GeneratedFile {
  readonly path: string;
  readonly text: string;
}

export interface GenerateOptions {
  /** Absolute folder the output tree mirrors: `x/y.svc` below it becomes `x/y.ts`. */
  readonly root: string;
}

/** Every module for the files of `model` below `options.root`, formatted and deterministic. */
export async function generateFiles(
  _model: Model,
  _options: GenerateOptions,
): Promise<GeneratedFile[]> {
  throw new Error("not implemented yet");
}
