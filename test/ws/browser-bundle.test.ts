/** The client-only entry bundles for browsers with nothing of Node in it. */
import { expect, test } from "@jest/globals";
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

test("browser.ts bundles for the browser without ws, undici or node: modules", async () => {
  const entry = fileURLToPath(new URL("../../packages/runtime/src/browser.ts", import.meta.url));
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: "browser",
    format: "esm",
    logLevel: "silent",
  });
  expect(result.errors).toEqual([]);
  const code = result.outputFiles[0]!.text;
  expect(code).toContain("connectWebSocket");
  // `ws` and `undici` may only appear as the variable specifiers of Node-only dynamic imports.
  for (const name of ["ws", "undici"]) {
    expect(code).not.toContain(`require("${name}")`);
    expect(code).not.toContain(`from "${name}"`);
    expect(code).not.toContain(`import("${name}")`);
  }
  expect(code).not.toMatch(/["']node:/);
});
