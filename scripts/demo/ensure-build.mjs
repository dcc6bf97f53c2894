/**
 * `npm run demo` must work right after `npm ci`: build/ is made (or refreshed) by
 * `npm run build` when it is missing or older than any source it is built from.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** Sources of build/examples: the examples, the generated modules and the runtime. */
const SOURCE_DIRS = ["examples", "generated", "packages/runtime/src"];
/** What the demo runs and serves. */
const OUTPUTS = ["build/examples/demo/main.js", "build/examples/browser/app.js"];
/**
 * Rewritten by every build (esbuild always writes it, while tsc -b leaves unchanged outputs
 * alone), so its time says when the last build ran.
 */
const BUILD_STAMP = "build/examples/browser/app.js";

function newestMtime(dir) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.isFile()) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** When the last complete build ran; 0 when an output is missing. */
function lastBuildTime(root) {
  try {
    for (const output of OUTPUTS) statSync(join(root, output));
    return statSync(join(root, BUILD_STAMP)).mtimeMs;
  } catch {
    return 0;
  }
}

/** Runs `npm run build` in `root` unless build/ is up to date; throws if the build fails. */
export function ensureBuild(root) {
  const newestSource = Math.max(...SOURCE_DIRS.map((dir) => newestMtime(join(root, dir))));
  if (lastBuildTime(root) >= newestSource) return;
  process.stderr.write("demo: building (npm run build)...\n");
  // The build's own output goes to stderr so that stdout carries only the demo.
  const result = spawnSync("npm", ["run", "build", "--silent"], {
    cwd: root,
    stdio: ["ignore", process.stderr, process.stderr],
    shell: process.platform === "win32",
  });
  if (result.status !== 0) {
    throw new Error(`npm run build failed (exit ${result.status ?? result.signal})`);
  }
}
