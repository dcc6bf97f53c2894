/** `svcgen init`: the project template copied into a folder, never over someone's files. */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { runCli as run } from "../frontend/helpers.js";
import { packageName } from "../../packages/svcgen/src/commands/init.js";

const svcgenManifest = JSON.parse(
  await readFile(new URL("../../packages/svcgen/package.json", import.meta.url), "utf8"),
) as { version: string };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "svcgen-init-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function listFiles(folder: string, prefix = ""): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(path.join(folder, prefix), { withFileTypes: true })) {
    const relative = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) found.push(...(await listFiles(folder, relative)));
    else found.push(relative);
  }
  return found.sort();
}

describe("svcgen init", () => {
  test("creates the project in a new folder, named after it, on this release", async () => {
    const target = path.join(dir, "My Service");
    const result = await run("init", target);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(await listFiles(target)).toEqual([
      ".gitignore",
      "README.md",
      "idl/hello.svc",
      "package.json",
      "src/client.ts",
      "src/main.ts",
      "src/server.ts",
      "tsconfig.json",
    ]);
    const manifest = JSON.parse(await readFile(path.join(target, "package.json"), "utf8"));
    expect(manifest).toMatchObject({
      name: "my-service",
      type: "module",
      engines: { node: ">=20.19" },
      dependencies: {
        svcgen: `^${svcgenManifest.version}`,
        "@svcgen/runtime": `^${svcgenManifest.version}`,
      },
    });
    expect(Object.keys(manifest.scripts)).toEqual(["generate", "build", "start", "dev"]);
    expect(Object.keys(manifest.devDependencies)).toEqual(["@types/node", "typescript"]);
    const tsconfig = JSON.parse(await readFile(path.join(target, "tsconfig.json"), "utf8"));
    expect(tsconfig.compilerOptions).toMatchObject({ module: "NodeNext", strict: true });
    expect(result.stdout).toContain("npm install\n  npm start\n");
    // Honest while unpublished: plain `npm install` cannot find the packages yet.
    expect(result.stdout).toContain(
      `  npm install <folder>/svcgen-${svcgenManifest.version}.tgz <folder>/svcgen-runtime-${svcgenManifest.version}.tgz\n`,
    );
  });

  test("the example IDL checks clean and has a oneway callback, an awaited one and a stateless method", async () => {
    await run("init", dir);
    const svc = await readFile(path.join(dir, "idl/hello.svc"), "utf8");
    expect(svc).toMatch(
      /callback Listener \{[^}]*oneway tick\([^}]*keepGoing\(count: int32\): bool;/s,
    );
    expect(svc).toContain("greet(name: string): string;");
    expect(await run("check", path.join(dir, "idl"))).toEqual({ code: 0, stdout: "", stderr: "" });
    // In the canonical layout: `svcgen fmt` on a new project changes nothing.
    expect((await run("fmt", "--check", path.join(dir, "idl"))).code).toBe(0);
  });

  test("the current folder by default", async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect((await run("init")).code).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    expect(await listFiles(dir)).toContain("src/server.ts");
  });

  test("a folder that is not empty is refused, untouched; --force writes into it", async () => {
    await writeFile(path.join(dir, "package.json"), '{"name":"mine"}\n');
    await mkdir(path.join(dir, "notes"));
    const refused = await run("init", dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `svcgen: ${dir} is not empty; choose a new folder, or pass --force to write into it\n`,
    );
    expect(await listFiles(dir)).toEqual(["package.json"]);
    expect(await readFile(path.join(dir, "package.json"), "utf8")).toBe('{"name":"mine"}\n');

    expect((await run("init", dir, "--force")).code).toBe(0);
    expect(await listFiles(dir)).toContain("src/client.ts");
    expect(JSON.parse(await readFile(path.join(dir, "package.json"), "utf8")).name).not.toBe(
      "mine",
    );
  });

  test("a path that is a file: exit 2 with a message", async () => {
    const file = path.join(dir, "file");
    await writeFile(file, "");
    const result = await run("init", path.join(file, "project"));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^svcgen: cannot create the project in .*: not a folder\n$/);
  });

  test("package names made from folder names", () => {
    expect(packageName("hello")).toBe("hello");
    expect(packageName("My Service")).toBe("my-service");
    expect(packageName(".hidden")).toBe("hidden");
    expect(packageName("日本")).toBe("svcgen-project");
  });
});
