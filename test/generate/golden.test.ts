import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, test } from "@jest/globals";
import { generateFiles } from "../../packages/svcgen/src/generate/index.js";
import type { GeneratedFile } from "../../packages/svcgen/src/generate/index.js";
import { loadProgram } from "../../packages/svcgen/src/program.js";
import { REPO } from "./compile.js";
import { FIXTURE_ROOT, fixtureModel } from "./fixture.js";

const GOLDEN = path.join(REPO, "test/generate/golden");

let files: GeneratedFile[];

beforeAll(async () => {
  files = await generateFiles(fixtureModel(), { root: FIXTURE_ROOT });
});

/** The golden files also compile: compile-generated.test.ts type-checks them. */
describe("generated code for the fixture IDL", () => {
  test("mirrors the input tree", () => {
    expect(files.map((f) => f.path)).toEqual(["common.ts", "jobs/jobs.ts"]);
  });

  test("matches the golden files (UPDATE_GOLDEN=1 rewrites them)", async () => {
    for (const file of files) {
      const golden = path.join(GOLDEN, file.path);
      if (process.env["UPDATE_GOLDEN"] === "1") {
        await mkdir(path.dirname(golden), { recursive: true });
        await writeFile(golden, file.text);
      }
      expect(file.text).toBe(await readFile(golden, "utf8"));
    }
  });

  test("is also what the same IDL as text generates", async () => {
    const program = await loadProgram([path.join(REPO, "test/generate/fixtures/golden")]);
    expect(program.diagnostics).toEqual([]);
    expect(await generateFiles(program.model!, { root: program.root })).toEqual(files);
  });

  test("is deterministic: a second run gives the same bytes", async () => {
    const again = await generateFiles(fixtureModel(), { root: FIXTURE_ROOT });
    expect(again).toEqual(files);
  });
});
