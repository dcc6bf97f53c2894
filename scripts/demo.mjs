#!/usr/bin/env node
/**
 * `npm run demo [-- --serve [--port N] [--host H]]`: builds if needed, then runs the demo
 * of the examples (examples/demo/main.ts, compiled to build/examples/demo/main.js).
 */
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ensureBuild } from "./demo/ensure-build.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
try {
  ensureBuild(root);
} catch (error) {
  process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
// The demo reads its options from process.argv and exits by itself.
await import(pathToFileURL(join(root, "build/examples/demo/main.js")).href);
