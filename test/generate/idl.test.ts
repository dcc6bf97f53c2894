/**
 * The generator over real IDL text (parsed and checked by the front end): the committed
 * generated/ is what idl/ generates, byte for byte and run after run, and contract hashes
 * follow the signature, not the text.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { contractHash, generateFiles } from "../../packages/svcgen/src/generate/index.js";
import { loadProgram } from "../../packages/svcgen/src/program.js";
import type { InterfaceDecl, Model } from "../../packages/svcgen/src/model/model.js";
import { REPO } from "./compile.js";

async function generateIdl() {
  const program = await loadProgram([path.join(REPO, "idl")]);
  if (program.model === undefined) throw new Error(program.diagnostics[0]?.message);
  return generateFiles(program.model, { root: program.root });
}

describe("generated/", () => {
  test("is what idl/ generates, and two runs give the same bytes", async () => {
    const first = await generateIdl();
    const second = await generateIdl();
    expect(second).toEqual(first);
    expect(first.map((f) => f.path)).toEqual([
      "calculator.ts",
      "chat.ts",
      "features/common.ts",
      "features/everything.ts",
      "longwork.ts",
    ]);
    for (const file of first) {
      expect(await readFile(path.join(REPO, "generated", file.path), "utf8")).toBe(file.text);
    }
  });
});

describe("contract hash of parsed IDL", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "svcgen-hash-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  let counter = 0;
  async function hashOf(text: string): Promise<string> {
    const file = path.join(dir, `s${counter++}.svc`);
    await writeFile(file, text);
    const program = await loadProgram([file]);
    const model: Model | undefined = program.model;
    if (model === undefined) throw new Error(program.diagnostics[0]?.message);
    return contractHash(model.declarations.get("p.S") as InterfaceDecl, model);
  }

  const base = `package p;
record R { a: string; b?: int32[]; }
interface S { get(id: string, r: R): R; }
`;

  test("ignores layout and comments", async () => {
    const reformatted = `package p;
/// A record.
record R {
  a: string; // the a
  b?: int32[];
}
/* the service */
interface S {
  /// Gets.
  get(id: string,
      r: R): R;
}
`;
    expect(await hashOf(reformatted)).toBe(await hashOf(base));
  });

  test("follows parameter names and the types they reach", async () => {
    const original = await hashOf(base);
    expect(await hashOf(base.replace("get(id:", "get(key:"))).not.toBe(original);
    expect(await hashOf(base.replace("b?: int32[]", "b?: int64[]"))).not.toBe(original);
    expect(await hashOf(base.replace("b?: int32[]", "b: int32[]"))).not.toBe(original);
  });
});
