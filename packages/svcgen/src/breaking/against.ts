/**
 * The old version for `svcgen breaking --against`: a folder (every `*.svc` below it, checked as
 * one program) or a git revision (the same inputs, read at that revision with `git show`).
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { loadProgram, UsageError } from "../program.js";
import type { Program } from "../program.js";

const run = promisify(execFile);

export interface OldVersion {
  readonly program: Program;
  /** Turns a display path of the old program into what messages show (`main:idl/a.svc`). */
  readonly shownPath: (displayPath: string) => string;
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

async function git(args: string[], cwd: string): Promise<string> {
  const { stdout } = await run("git", args, { cwd, maxBuffer: 1 << 30, encoding: "utf8" });
  return stdout;
}

export async function loadOldVersion(
  against: string,
  inputs: readonly string[],
): Promise<OldVersion> {
  if (await exists(against)) {
    return { program: await loadProgram([against]), shownPath: (shown) => shown };
  }
  // Git runs in the repository holding the inputs, wherever the command was started.
  const first = path.resolve(inputs[0] ?? ".");
  const cwd = (await stat(first)).isDirectory() ? first : path.dirname(first);
  let top: string;
  try {
    await git(["rev-parse", "--verify", "--quiet", `${against}^{commit}`], cwd);
    top = (await git(["rev-parse", "--show-toplevel"], cwd)).trim();
  } catch {
    throw new UsageError(`--against ${against}: neither a folder nor a git revision`);
  }
  const listed = await git(["ls-tree", "-r", "-z", "--name-only", against], top);
  const files = listed.split("\0").filter((name) => name.endsWith(".svc"));
  const workspace = await mkdtemp(path.join(tmpdir(), "svcgen-against-"));
  try {
    for (const file of files) {
      const text = await git(["show", `${against}:${file}`], top);
      const target = path.join(workspace, file);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, text);
    }
    const oldInputs: string[] = [];
    for (const input of inputs) {
      const relative = path.relative(top, path.resolve(input));
      const old = path.join(workspace, relative);
      if (relative.startsWith("..") || !(await exists(old))) {
        throw new UsageError(`${input}: no .svc file there at ${against}`);
      }
      oldInputs.push(old);
    }
    const program = await loadProgram(oldInputs);
    const prefix = workspace + path.sep;
    const shownPath = (shown: string) =>
      shown.startsWith(prefix)
        ? `${against}:${shown.slice(prefix.length).split(path.sep).join("/")}`
        : shown;
    return { program, shownPath };
  } finally {
    await rm(workspace, { recursive: true, force: true });
  }
}
