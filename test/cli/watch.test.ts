/** `svcgen generate --watch`: real files edited on disk, regenerated after each change. */
import { mkdir, mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { spawn, spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { watchGenerate, type GenerateWatcher } from "../../packages/svcgen/src/commands/watch.js";

const repo = fileURLToPath(new URL("../..", import.meta.url));
let dir: string;
let watcher: GenerateWatcher | undefined;
let stdout: string[];
let stderr: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "svcgen-watch-"));
  stdout = [];
  stderr = "";
  await write("idl/shop.svc", "package shop;\nrecord Item { name: string; }\n");
});

afterEach(async () => {
  await watcher?.close();
  watcher = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function write(relative: string, text: string): Promise<void> {
  await mkdir(path.dirname(path.join(dir, relative)), { recursive: true });
  await writeFile(path.join(dir, relative), text);
}

function start(inputs = ["idl"], debounceMs = 50): void {
  watcher = watchGenerate(
    inputs.map((input) => path.join(dir, input)),
    { out: path.join(dir, "out"), check: false, format: "text" },
    {
      stdout: (text) => void stdout.push(...text.split(/(?<=\n)/)),
      stderr: (text) => void (stderr += text),
    },
    { debounceMs },
  );
}

/** Waits (polling, bounded) until `count` runs have reported. */
async function runs(count: number): Promise<string[]> {
  const deadline = Date.now() + 15_000;
  while (stdout.length < count) {
    if (Date.now() > deadline) throw new Error(`only ${stdout.length} runs: ${stdout.join("")}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return stdout;
}

const generated = (file: string) =>
  readFile(path.join(dir, "out", file), "utf8").catch(() => "(missing)");

/** Waits (polling, bounded) until `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out; output so far: ${stdout.join("")}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits (polling, bounded) until the generated `file` contains `text`. */
async function generatedContains(file: string, text: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await generated(file)).includes(text)) {
    if (Date.now() > deadline)
      throw new Error(`${file} never contained ${text}: ${stdout.join("")}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const runLine =
  /^svcgen: (\d+ files? written, \d+ unchanged in .*out|nothing written) \(\d+ ms\); watching for changes\n$/;

describe("svcgen generate --watch", () => {
  test("generates at once, then again after each edit, one line per run", async () => {
    start();
    const [first] = await runs(1);
    expect(first).toMatch(
      /^svcgen: 1 file written, 0 unchanged in .*out \(\d+ ms\); watching for changes\n$/,
    );
    expect(await generated("shop.ts")).toContain("export interface Item");

    await write("idl/shop.svc", "package shop;\nrecord Product { name: string; }\n");
    await generatedContains("shop.ts", "export interface Product");

    // A new file in a new subfolder is picked up too.
    await write("idl/billing/invoice.svc", "package billing;\nrecord Invoice { total: int64; }\n");
    await generatedContains("billing/invoice.ts", "export interface Invoice");
    // The run's line is printed once its files are written: wait for it, not just the file.
    await until(() => stdout.length >= 3);
    expect(stdout.length).toBeGreaterThanOrEqual(3);
    for (const line of stdout) expect(line).toMatch(runLine);
    expect(stderr).toBe("");
  }, 30_000);

  test("keeps running through IDL errors, printing them, and recovers when they are fixed", async () => {
    start();
    await runs(1);
    await write("idl/shop.svc", "package shop;\nrecord Item { name: strin; }\n");
    await until(() => stderr.includes('unknown type "strin"; did you mean "string"?'));
    await until(() => stdout.some((line) => line.startsWith("svcgen: nothing written (")));
    expect(await generated("shop.ts")).toContain("name: string");

    await write("idl/shop.svc", "package shop;\nrecord Item { name: string; count: int32; }\n");
    await generatedContains("shop.ts", "count: number");
  }, 30_000);

  test("a burst of changes makes one run; writes to the output folder make none", async () => {
    // A generous quiet time: the five writes below must fall within it even on a busy machine.
    start(["."], 300);
    await runs(1);
    for (let i = 0; i < 5; i++) {
      await write("idl/shop.svc", `package shop;\nrecord Item { name${i}: string; }\n`);
    }
    await runs(2);
    await write("out/notes.svc", "not IDL, and inside the output folder\n");
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(stdout).toHaveLength(2);
    expect(await generated("shop.ts")).toContain("name4: string");
  }, 30_000);

  test("an input deleted and created again: the error is printed and watching goes on", async () => {
    start(["idl/shop.svc"]);
    await runs(1);
    await unlink(path.join(dir, "idl/shop.svc"));
    await runs(2);
    expect(stderr).toContain("no such file or folder");
    await write("idl/shop.svc", "package shop;\nrecord Back { name: string; }\n");
    await generatedContains("shop.ts", "export interface Back");
  }, 30_000);

  test("the CLI: --watch runs until SIGINT, then exits 0; --watch with --check is refused", async () => {
    const cli = path.join(repo, "packages/svcgen/bin/svcgen.js");
    const child = spawn(process.execPath, [cli, "generate", "idl", "--out", "out", "--watch"], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let printed = "";
    child.stdout.on("data", (chunk: Buffer) => (printed += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    try {
      await until(() => printed.includes("watching for changes"));
      await write("idl/shop.svc", "package shop;\nrecord FromTheCli { name: string; }\n");
      await generatedContains("shop.ts", "export interface FromTheCli");
    } finally {
      child.kill("SIGINT");
    }
    expect(await exited).toBe(0);
    expect(printed).toMatch(/^svcgen: 1 file written, 0 unchanged in out \(\d+ ms\); watching/);

    const refused = spawnSync(
      process.execPath,
      [cli, "generate", "idl", "--out", "out", "--watch", "--check"],
      {
        cwd: dir,
        encoding: "utf8",
      },
    );
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("cannot be used with option '--check'");
  }, 30_000);
});
