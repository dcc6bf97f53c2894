#!/usr/bin/env node
/**
 * Bundles the browser page of the examples (examples/browser/main.ts, the generated clients
 * and the runtime's browser entry) into build/examples/browser/, next to its index.html.
 * Runs after `tsc -b ... examples` in `npm run build`; takes well under a second.
 */
import { copyFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pageSource = join(root, "examples/browser");
/** Where the example server looks for the page by default. */
export const defaultPageOutput = join(root, "build/examples/browser");

/** Writes index.html, app.js and app.js.map to `pageOutput`. */
export async function buildBrowserPage(pageOutput = defaultPageOutput) {
  await mkdir(pageOutput, { recursive: true });
  await build({
    entryPoints: [join(pageSource, "main.ts")],
    outfile: join(pageOutput, "app.js"),
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    sourcemap: true,
    minify: true,
    // The runtime's client-only entry: nothing from Node reaches the page.
    alias: { "@svcgen/runtime": join(root, "packages/runtime/src/browser.ts") },
    logLevel: "warning",
  });
  await copyFile(join(pageSource, "index.html"), join(pageOutput, "index.html"));
}

// `node scripts/build-examples.mjs [--out <dir>]`
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { out: { type: "string" } } });
  await buildBrowserPage(values.out ?? defaultPageOutput);
}
