/** `svcgen breaking` as a user runs it: text output, a git revision, and its failure modes. */
import { afterEach, describe, expect, test } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { tempTree, runCli as run } from "../frontend/helpers.js";

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

const order = (fields: string) =>
  `package shop;\nrecord Order {\n${fields}}\ninterface Orders {\n  get(id: string): Order;\n  put(order: Order);\n}\n`;

describe("svcgen breaking", () => {
  test("text output: path:line:column, code, message, the line and carets at the new place", async () => {
    const t = await tree({
      "old/shop.svc": order("  id: string;\n  total: int64;\n"),
      "new/shop.svc": order("  id: string;\n  total?: int64;\n"),
    });
    const result = await run("breaking", t.path("new"), "--against", t.path("old"));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      `${t.path("new/shop.svc")}:4:3: error SVC3017: field "total" of record "shop.Order" became ` +
        "optional: deployed clients reading it in answers require it\n" +
        "  total?: int64;\n" +
        "  ^^^^^\n",
    );
  });

  test("a record used in requests and responses is held to the rules of both", async () => {
    const t = await tree({
      "old/shop.svc": order("  id: string;\n  note?: string;\n"),
      "new/shop.svc": order("  id?: string;\n  note: string;\n  extra: bool;\n"),
    });
    const result = await run(
      "breaking",
      t.path("new"),
      "--against",
      t.path("old"),
      "--format",
      "json",
    );
    const found = (JSON.parse(result.stdout) as { code: string; line: number }[]).map((d) => [
      d.code,
      d.line,
    ]);
    expect(found).toEqual([
      ["SVC3017", 3],
      ["SVC3019", 4],
      ["SVC3018", 5],
    ]);
  });

  test("recursive types are compared once and the comparison ends", async () => {
    const tree1 = (extra: string) =>
      `package t;\nrecord Node { children: Node[]; next?: Node;${extra} }\ninterface S { walk(n: Node): Node; }\n`;
    const t = await tree({ "old/t.svc": tree1(""), "new/t.svc": tree1(" label: string;") });
    const result = await run(
      "breaking",
      t.path("new"),
      "--against",
      t.path("old"),
      "--format",
      "json",
    );
    expect((JSON.parse(result.stdout) as { code: string }[]).map((d) => d.code)).toEqual([
      "SVC3018",
    ]);
  });

  test("no breaking change: exit 0, nothing printed", async () => {
    const t = await tree({
      "old/shop.svc": order("  id: string;\n"),
      "new/shop.svc": order("  id: string;\n  note?: string;\n"),
    });
    expect(await run("breaking", t.path("new"), "--against", t.path("old"))).toEqual({
      code: 0,
      stdout: "",
      stderr: "",
    });
  });

  test("--against a git revision reads the same inputs at that revision", async () => {
    const t = await tree({ "idl/shop.svc": order("  id: string;\n  total: int64;\n") });
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
        cwd: t.root,
        stdio: "pipe",
      });
    git("init", "-q");
    git("add", ".");
    git("commit", "-q", "-m", "v1");
    await writeFile(t.path("idl/shop.svc"), order("  id: string;\n"));
    const result = await run("breaking", t.path("idl"), "--against", "HEAD", "--format", "json");
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject([
      { file: t.path("idl/shop.svc"), line: 2, code: "SVC3016" },
    ]);
    // Committed: nothing differs any more.
    git("commit", "-q", "-am", "v2");
    expect((await run("breaking", t.path("idl"), "--against", "HEAD")).code).toBe(0);
    expect((await run("breaking", t.path("idl"), "--against", "HEAD~1")).code).toBe(1);
  });

  test("an --against that is neither a folder nor a revision is a usage error", async () => {
    const t = await tree({ "idl/shop.svc": order("  id: string;\n") });
    const result = await run("breaking", t.path("idl"), "--against", "no-such-thing");
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "svcgen: --against no-such-thing: neither a folder nor a git revision\n",
    );
  });

  test("an old version with errors is exit 2; a new one with errors is reported like check", async () => {
    const t = await tree({
      "old/shop.svc": "record A { x: Nope; }\n",
      "new/shop.svc": "record A { x: int32; }\n",
      "bad/shop.svc": "record A { x: Nope; }\n",
    });
    const old = await run("breaking", t.path("new"), "--against", t.path("old"));
    expect(old.code).toBe(2);
    expect(old.stderr).toContain("the version to compare against has errors");
    expect(old.stderr).toContain('error SVC2003: unknown type "Nope"');
    const bad = await run("breaking", t.path("bad"), "--against", t.path("new"));
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('error SVC2003: unknown type "Nope"');
  });
});
