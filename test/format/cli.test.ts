/** `svcgen fmt` on real files: rewrite, --check, --stdout, and refusing syntax errors. */
import { afterEach, describe, expect, test } from "@jest/globals";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { tempTree, runCli as run } from "../frontend/helpers.js";

const repository = path.resolve(import.meta.dirname, "../..");

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function tree(files: Record<string, string>) {
  const made = await tempTree(files);
  cleanup = made.remove;
  return made;
}

const messy = "record  A{x:int32;}\n";
const tidy = "record A {\n  x: int32;\n}\n";

describe("svcgen fmt", () => {
  test("rewrites the files that change, leaves the others untouched, prints one line", async () => {
    const t = await tree({ "idl/a.svc": messy, "idl/sub/b.svc": tidy });
    const before = await stat(t.path("idl/sub/b.svc"));
    const result = await run("fmt", t.path("idl"));
    expect(result).toEqual({
      code: 0,
      stdout: "svcgen: 1 file formatted, 1 unchanged\n",
      stderr: "",
    });
    expect(await readFile(t.path("idl/a.svc"), "utf8")).toBe(tidy);
    expect((await stat(t.path("idl/sub/b.svc"))).mtimeMs).toBe(before.mtimeMs);
  });

  test("--check lists unformatted files, exits 1 and writes nothing", async () => {
    const t = await tree({ "a.svc": messy, "b.svc": tidy });
    const result = await run("fmt", "--check", t.path("a.svc"), t.path("b.svc"));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(`${t.path("a.svc")}\n`);
    expect(result.stderr).toBe("svcgen: 1 file not formatted; run `svcgen fmt` without --check\n");
    expect(await readFile(t.path("a.svc"), "utf8")).toBe(messy);
    expect(await run("fmt", "--check", t.path("b.svc"))).toEqual({
      code: 0,
      stdout: "",
      stderr: "",
    });
  });

  test("--stdout prints the formatted text and writes nothing", async () => {
    const t = await tree({ "a.svc": messy });
    expect(await run("fmt", "--stdout", t.path("a.svc"))).toEqual({
      code: 0,
      stdout: tidy,
      stderr: "",
    });
    expect(await readFile(t.path("a.svc"), "utf8")).toBe(messy);
  });

  test("a file with syntax errors is left alone: its errors on stderr, exit 1", async () => {
    const broken = "record A { x int32 }\n";
    const t = await tree({ "bad.svc": broken, "good.svc": messy });
    const result = await run("fmt", t.path("bad.svc"), t.path("good.svc"));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      "svcgen: 1 file formatted, 0 unchanged, 1 left alone (syntax errors)\n",
    );
    expect(result.stderr).toContain(
      `${t.path("bad.svc")}:1:14: error SVC1001: expected ":" but found "int32"\n`,
    );
    expect(await readFile(t.path("bad.svc"), "utf8")).toBe(broken);
    expect(await readFile(t.path("good.svc"), "utf8")).toBe(tidy);
    expect((await run("fmt", "--check", t.path("bad.svc"))).code).toBe(1);
  });

  test("a missing path is a usage error", async () => {
    const result = await run("fmt", path.join(repository, "no-such.svc"));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("no such file or folder");
  });

  test("idl/ is in the canonical layout (CI runs `svcgen fmt --check idl` too)", async () => {
    expect(await run("fmt", "--check", path.join(repository, "idl"))).toEqual({
      code: 0,
      stdout: "",
      stderr: "",
    });
  });
});
