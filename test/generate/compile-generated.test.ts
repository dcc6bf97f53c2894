import { readdir } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "@jest/globals";
import { REPO, typeCheck } from "./compile.js";

async function tsFilesBelow(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

describe("generated/, the golden files and the type tests of test/generate/types", () => {
  test.each(["NodeNext", "Bundler"] as const)(
    "compiles strict with moduleResolution %s, every @ts-expect-error used",
    async (resolution) => {
      const files = [
        ...(await tsFilesBelow(path.join(REPO, "generated"))),
        ...(await tsFilesBelow(path.join(REPO, "test/generate/golden"))),
        ...(await tsFilesBelow(path.join(REPO, "test/generate/types"))),
      ];
      expect(files.length).toBeGreaterThan(5);
      expect(typeCheck(files, resolution)).toEqual([]);
    },
  );
});
