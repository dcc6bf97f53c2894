/**
 * The svcgen contender runs the code the generator emits for bench.svc: before measuring, the
 * runner generates it into bench/.work/generated/ and strips its types with esbuild. When
 * the compiler cannot do that (it is being changed, or not built), the contender falls back
 * to contenders/bench-service.mjs, the same module written out by hand.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const benchDir = dirname(dirname(fileURLToPath(import.meta.url)));
const rootDir = dirname(benchDir);
const outDir = join(benchDir, ".work", "generated");

/** Where the compiled generated module is, once `generateBenchService` succeeded. */
export const generatedModule = join(outDir, "bench.js");

/** Generates and compiles bench.svc; returns a warning when it could not. */
export async function generateBenchService() {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const cli = join(rootDir, "packages", "svcgen", "dist", "cli.js");
  const result = spawnSync(
    process.execPath,
    [cli, "generate", join(benchDir, "bench.svc"), "--out", outDir],
    { encoding: "utf8" },
  );
  const source = join(outDir, "bench.ts");
  if (result.status !== 0 || !existsSync(source)) {
    return `svcgen generate failed (${(result.stderr || result.stdout).trim().split("\n")[0]})`;
  }
  try {
    const { transform } = await import("esbuild");
    const { code } = await transform(readFileSync(source, "utf8"), {
      loader: "ts",
      format: "esm",
      target: "node20",
    });
    writeFileSync(generatedModule, code);
    return undefined;
  } catch (error) {
    return `compiling the generated module failed (${error?.message ?? error})`;
  }
}
