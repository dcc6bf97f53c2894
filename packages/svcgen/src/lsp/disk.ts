/**
 * The language server's view of the file system: .svc files below the workspace folders and
 * their text. Synchronous on purpose: files are small, and a re-check that reads an imported
 * file must finish before its diagnostics are published.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

/** Folders never searched for .svc files: dependencies, build output and VCS data. */
const skippedFolders = new Set(["node_modules", "dist", "out", "build"]);

/** A workspace is searched this deep at most: a symlink loop or a huge tree must not hang it. */
const MAX_DEPTH = 32;

/** Absolute paths of every `*.svc` file below `folder`, sorted. */
export function findSvcFiles(folder: string): string[] {
  const found: string[] = [];
  const visit = (dir: string, depth: number) => {
    if (depth > MAX_DEPTH) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!skippedFolders.has(entry.name)) visit(full, depth + 1);
      } else if (entry.isFile() && entry.name.endsWith(".svc")) {
        found.push(full);
      }
    }
  };
  visit(folder, 0);
  return found.sort();
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The text of a file on disk; undefined when it is missing, unreadable or not UTF-8. */
export function readSvcFile(absolute: string): string | undefined {
  try {
    const text = utf8.decode(readFileSync(absolute));
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    return undefined;
  }
}

export function isFile(absolute: string): boolean {
  try {
    return statSync(absolute).isFile();
  } catch {
    return false;
  }
}
