/** Generated files on disk: writing only what changed, and finding what is missing or stale. */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { GeneratedFile } from "./index.js";

export interface OutdatedFile {
  /** Relative to the output folder, with `/` separators. */
  readonly path: string;
  readonly state: "missing" | "stale";
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** The files whose copy under `outDir` is absent or has other content, in order. */
export async function outdatedFiles(
  files: readonly GeneratedFile[],
  outDir: string,
): Promise<OutdatedFile[]> {
  const outdated: OutdatedFile[] = [];
  for (const file of files) {
    const current = await readIfExists(path.join(outDir, file.path));
    if (current === undefined) outdated.push({ path: file.path, state: "missing" });
    else if (current !== file.text) outdated.push({ path: file.path, state: "stale" });
  }
  return outdated;
}

/**
 * Writes the outdated files under `outDir`, creating folders; files already up to date
 * are not touched (their modification time stays, so watchers and builds stay quiet).
 * Returns the paths written.
 */
export async function writeGeneratedFiles(
  files: readonly GeneratedFile[],
  outDir: string,
): Promise<string[]> {
  const outdated = new Set((await outdatedFiles(files, outDir)).map((f) => f.path));
  const written: string[] = [];
  for (const file of files) {
    if (!outdated.has(file.path)) continue;
    const target = path.join(outDir, file.path);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.text);
    written.push(file.path);
  }
  return written;
}
