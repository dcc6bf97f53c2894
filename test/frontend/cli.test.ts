import { afterEach, describe, expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { tempTree, runCli as run } from "./helpers.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const idl = path.join(here, "..", "..", "idl");

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function tree(files: Record<string, string | Uint8Array>) {
  const made = await tempTree(files);
  cleanup = made.remove;
  return made;
}

describe("svcgen check", () => {
  test("clean IDL: exit 0, nothing printed; JSON format prints []", async () => {
    expect(await run("check", idl)).toEqual({ code: 0, stdout: "", stderr: "" });
    const json = await run("check", idl, "--format", "json");
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([]);
  });

  test("errors: exit 1, path:line:column, the source line and carets under the token", async () => {
    const t = await tree({ "bad.svc": "record Point {\n\tx: flaot64;\n}\n" });
    const result = await run("check", t.path("bad.svc"));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      `${t.path("bad.svc")}:2:5: error SVC2003: unknown type "flaot64"; did you mean "float64"?\n` +
        "\tx: flaot64;\n" +
        "\t   ^^^^^^^\n",
    );
  });

  test("--format json prints the IDL.md fields of every diagnostic", async () => {
    const t = await tree({ "bad.svc": "record A { a: int32 b: int32; }\nenum E {}\n" });
    const result = await run("check", "--format", "json", t.path("bad.svc"));
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual([
      {
        file: t.path("bad.svc"),
        line: 1,
        column: 21,
        endLine: 1,
        endColumn: 22,
        severity: "error",
        code: "SVC1001",
        message: 'expected ";" but found "b"',
      },
      {
        file: t.path("bad.svc"),
        line: 2,
        column: 6,
        endLine: 2,
        endColumn: 7,
        severity: "error",
        code: "SVC2010",
        message: 'enum "E" needs at least one member',
      },
    ]);
  });

  test("a missing path is a usage error: exit 2, one line on stderr", async () => {
    const result = await run("check", path.join(here, "no-such.svc"));
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      `svcgen: ${path.join(here, "no-such.svc")}: no such file or folder\n`,
    );
  });

  test("a folder without .svc files is a usage error", async () => {
    const t = await tree({ "notes.txt": "hello" });
    const result = await run("check", t.root);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`svcgen: ${t.root}: no .svc files in this folder\n`);
  });

  test("a file that is not UTF-8 is a usage error", async () => {
    const t = await tree({ "latin1.svc": Uint8Array.from([0x72, 0x65, 0x63, 0xe9, 0x0a]) });
    const result = await run("check", t.path("latin1.svc"));
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`svcgen: ${t.path("latin1.svc")}: not valid UTF-8 text\n`);
  });

  test("command-line mistakes exit 2 with commander's message", async () => {
    const missing = await run("check");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing required argument 'paths'");
    const badFormat = await run("check", idl, "--format", "xml");
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toContain("xml");
    expect((await run("frobnicate")).code).toBe(2);
    expect((await run("generate", idl)).stderr).toContain("--out");
  });
});

describe("help and version", () => {
  test("--version prints the package version", async () => {
    const manifest = JSON.parse(
      readFileSync(path.join(here, "..", "..", "packages", "svcgen", "package.json"), "utf8"),
    ) as { version: string };
    expect(await run("--version")).toEqual({
      code: 0,
      stdout: `${manifest.version}\n`,
      stderr: "",
    });
  });

  test("--help lists both commands; check --help lists --format", async () => {
    const help = await run("--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("check [options] <paths...>");
    expect(help.stdout).toContain("generate [options] <paths...>");
    const checkHelp = await run("check", "--help");
    expect(checkHelp.code).toBe(0);
    expect(checkHelp.stdout).toContain("--format <format>");
  });
});
