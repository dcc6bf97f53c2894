import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { main } from "../../packages/svcgen/src/cli.js";

/** A temp folder populated with `files` (relative path → text or bytes); remove() cleans up. */
export async function tempTree(files: Record<string, string | Uint8Array>) {
  const root = await mkdtemp(path.join(tmpdir(), "svcgen-frontend-"));
  for (const [relative, content] of Object.entries(files)) {
    const target = path.join(root, relative);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content);
  }
  return {
    root,
    path: (relative: string) => path.join(root, relative),
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/** Runs the `svcgen` CLI in this process, as a user would type `svcgen ...argv`, capturing its output. */
export async function runCli(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
  });
  return { code, stdout, stderr };
}
