#!/usr/bin/env node
/**
 * Bundles the browser entry (src/browser.ts: codecs, errors, HTTP and WebSocket clients) into
 * one ES module, dist/browser/svcgen-runtime.js, for pages without a bundler: an import map
 * points the bare specifier `@svcgen/runtime` of generated modules at this file. Part of the
 * package's build; a file whose content is unchanged is not rewritten, so running the build
 * again (as `npm pack` does) never disturbs a reader of the current one.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const outfile = join(packageRoot, "dist/browser/svcgen-runtime.js");

const result = await build({
  entryPoints: [join(packageRoot, "src/browser.ts")],
  outfile,
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  sourcemap: true,
  // Not minified: it is one request either way, and readable in the browser's debugger.
  minify: false,
  legalComments: "none",
  logLevel: "warning",
  write: false,
});

await mkdir(dirname(outfile), { recursive: true });
for (const file of result.outputFiles) {
  const current = await readFile(file.path).catch(() => undefined);
  if (current === undefined || !current.equals(file.contents)) {
    await writeFile(file.path, file.contents);
  }
}
