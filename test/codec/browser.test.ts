/**
 * The codecs are part of the browser client: they must bundle for the browser and work
 * where there is no Buffer (base64 then goes through atob/btoa).
 */
import { expect, test } from "@jest/globals";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { build } from "esbuild";

const entry = fileURLToPath(new URL("../../packages/runtime/src/codec/index.ts", import.meta.url));

test("the codec bundles for browsers and round-trips bytes without Buffer", async () => {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: "browser",
    format: "iife",
    globalName: "codec",
    write: false,
    logLevel: "silent",
  });
  const code = result.outputFiles[0]!.text;
  const sandbox: Record<string, unknown> = { atob, btoa };
  vm.createContext(sandbox);
  vm.runInContext(`${code}\nglobalThis.codec = codec;`, sandbox);
  const check = vm.runInContext(
    `(() => {
      const { t, DecodeError } = globalThis.codec;
      const bytes = new Uint8Array(70000).map((_, i) => (i * 7) & 255);
      const text = t.bytes.encode(bytes);
      const back = t.bytes.decode(text);
      let failed = "";
      try { t.bytes.decode("aB=="); } catch (e) { failed = e instanceof DecodeError ? e.message : "other"; }
      return {
        hasBuffer: typeof Buffer !== "undefined",
        text: t.bytes.encode(new Uint8Array([0, 1, 2, 250, 251, 252, 253, 254, 255])),
        same: back.length === bytes.length && back.every((b, i) => b === bytes[i]),
        failed,
      };
    })()`,
    sandbox,
  );
  expect(check).toEqual({
    hasBuffer: false,
    text: "AAEC+vv8/f7/",
    same: true,
    failed: "expected base64 string",
  });
});
