/**
 * The consumer test: docs/quickstart.md done for real, outside the repository. Both packages
 * are packed (their prepack builds them), `svcgen init` runs from the packed CLI in a temp
 * folder, the tarballs are installed there with real npm, and the project is generated,
 * compiled with `tsc --strict` and run: a REST call, oneway and awaited callbacks and a
 * release. Nothing comes from the repository's node_modules: NODE_PATH and npm's variables
 * are dropped and the repository's folders are taken off PATH. The commands and files are
 * read from the quickstart itself, so the page stays true.
 */
import { spawn } from "node:child_process";
import { lstat, mkdir, mkdtemp, readdir, readFile, realpath, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const quickstart = await readFile(path.join(repo, "docs/quickstart.md"), "utf8");
const templates = path.join(repo, "packages/svcgen/templates/project");
const version = (
  JSON.parse(await readFile(path.join(repo, "packages/svcgen/package.json"), "utf8")) as {
    version: string;
  }
).version;

/** The fenced block after `<!-- marker ... -->` in the quickstart. */
function block(marker: string): string {
  const at = quickstart.indexOf(`<!-- ${marker}`);
  if (at === -1) throw new Error(`docs/quickstart.md has no <!-- ${marker} --> block`);
  const match = /```[a-z]*\n([\s\S]*?)```/.exec(quickstart.slice(at));
  if (match === null) throw new Error(`no code block after <!-- ${marker} -->`);
  return match[1]!;
}

/** The environment of someone who never saw this repository. */
function outsideEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(npm_|NODE_PATH$|NODE_OPTIONS$|INIT_CWD$|JEST_|CI$)/i.test(name)) continue;
    env[name] = value;
  }
  env.PATH = (process.env.PATH ?? "")
    .split(path.delimiter)
    .filter((entry) => entry !== "" && !isInside(repo, entry))
    .join(path.delimiter);
  // Use what npm already has cached; ask the registry only for what is missing.
  env.npm_config_prefer_offline = "true";
  env.npm_config_update_notifier = "false";
  return { ...env, ...extra };
}

function isInside(folder: string, entry: string): boolean {
  const relative = path.relative(folder, path.resolve(entry));
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

/** npx keeps what it installed for `--package <tarball>` in its cache: drop ours. */
async function forgetNpxInstall(folder: string): Promise<void> {
  const cache = await bash("npm config get cache", os.tmpdir(), outsideEnv(), 30_000).catch(
    () => undefined,
  );
  if (cache === undefined) return;
  const npx = path.join(cache.stdout.trim(), "_npx");
  for (const entry of await readdir(npx).catch(() => [])) {
    const manifest = await readFile(path.join(npx, entry, "package.json"), "utf8").catch(() => "");
    if (manifest.includes(folder))
      await rm(path.join(npx, entry), { recursive: true, force: true });
  }
}

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `script` with bash, bounded by `timeoutMs`; rejects with its output if it fails. */
function bash(script: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number) {
  return new Promise<Finished>((resolve, reject) => {
    const child = spawn("bash", ["-euo", "pipefail", "-c", script], { cwd, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const finished = { code, stdout, stderr };
      if (code === 0) resolve(finished);
      else
        reject(
          new Error(`exit ${code} from:\n${script}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`),
        );
    });
  });
}

/** The quickstart's `~/svcgen-packs` is our temp folder of tarballs. */
const withPacks = (script: string, packs: string) => script.replaceAll("~/svcgen-packs", packs);

/** Output lines that the program printed (npm's `> script` banners and blank lines left out). */
const programLines = (stdout: string) =>
  stdout.split("\n").filter((line) => /^(svcgen|server|client): /.test(line));

/** The varying parts of the output: times and the port. */
const normalize = (line: string) =>
  line
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, "<time>")
    .replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:<port>");

let work: string;
let packs: string;
let project: string;
let startOutput: Finished;

// Packing, two npm installs and two compiles: minutes on a loaded machine, not seconds.
const NPM_MS = 240_000;

describe("quickstart, outside the repository", () => {
  beforeAll(async () => {
    work = await realpath(await mkdtemp(path.join(os.tmpdir(), "svcgen-consumer-")));
    packs = path.join(work, "packs");
    await mkdir(path.join(work, "empty"));
    project = path.join(work, "empty", "hello");
  });

  afterAll(async () => {
    if (!work) return;
    await rm(work, { recursive: true, force: true });
    await forgetNpxInstall(work);
  });

  test("the temp folder is outside the repository and NODE_PATH is unset", () => {
    expect(isInside(repo, work)).toBe(false);
    expect(isInside("/work", work)).toBe(false);
    expect(outsideEnv().NODE_PATH).toBeUndefined();
    expect(
      outsideEnv()
        .PATH!.split(path.delimiter)
        .some((entry) => isInside(repo, entry)),
    ).toBe(false);
  });

  test(
    "npm pack makes both tarballs, with dist/ and its types, the bin, README and LICENSE",
    async () => {
      // Packing happens in the repository (that is where the packages come from).
      const script = withPacks(block("quickstart: pack"), packs);
      await bash(script, repo, { ...process.env, npm_config_update_notifier: "false" }, NPM_MS);
      const listing = await bash(
        `for f in *.tgz; do echo "== $f"; tar -tzf "$f"; done`,
        packs,
        outsideEnv(),
        30_000,
      );
      const files = listing.stdout;
      expect(files).toContain(`== svcgen-${version}.tgz`);
      expect(files).toContain(`== svcgen-runtime-${version}.tgz`);
      for (const file of [
        "package/dist/index.js",
        "package/dist/index.d.ts",
        "package/dist/browser.d.ts",
        "package/dist/browser/svcgen-runtime.js",
        "package/dist/cli.js",
        "package/bin/svcgen.js",
        "package/templates/project/idl/hello.svc",
        "package/README.md",
        "package/LICENSE",
      ]) {
        expect(files).toContain(file);
      }
      expect(files).not.toContain(".tsbuildinfo");
    },
    NPM_MS,
  );

  test(
    "svcgen init from the packed CLI, npm install of the tarballs, npm start: callbacks arrive",
    async () => {
      const script = withPacks(block("quickstart: project"), packs);
      startOutput = await bash(script, path.join(work, "empty"), outsideEnv(), NPM_MS);
      const printed = programLines(startOutput.stdout);
      expect(printed[0]).toBe("svcgen: created a project in hello:");
      const lines = printed.slice(1).map(normalize);
      const documented = block("quickstart: output").trimEnd().split("\n").map(normalize);
      expect(lines).toEqual(documented);
    },
    NPM_MS,
  );

  test("the packages in the project are the tarballs, installed into it", async () => {
    for (const name of ["svcgen", "@svcgen/runtime"]) {
      const installed = path.join(project, "node_modules", name);
      expect((await lstat(installed)).isSymbolicLink()).toBe(false);
      const manifest = JSON.parse(await readFile(path.join(installed, "package.json"), "utf8"));
      expect(manifest.version).toBe(version);
    }
    const resolve = (specifier: string) =>
      `console.log(import.meta.resolve(${JSON.stringify(specifier)}))`;
    const resolved = await bash(
      `node --input-type=module -e '${resolve("@svcgen/runtime")}; ${resolve("@svcgen/runtime/bundle")}'`,
      project,
      outsideEnv(),
      30_000,
    );
    const [entry, bundle] = resolved.stdout
      .trim()
      .split("\n")
      .map((url) => fileURLToPath(url));
    expect(entry).toBe(path.join(project, "node_modules/@svcgen/runtime/dist/index.js"));
    // The single-file browser build, for import maps, is where docs/runtime.md says.
    expect(bundle).toBe(
      path.join(project, "node_modules/@svcgen/runtime/dist/browser/svcgen-runtime.js"),
    );
    expect((await lstat(bundle!)).size).toBeGreaterThan(10_000);
    const manifest = JSON.parse(await readFile(path.join(project, "package.json"), "utf8"));
    expect(manifest.type).toBe("module");
    expect(manifest.dependencies.svcgen).toMatch(/^file:.*svcgen-\d+\.\d+\.\d+\.tgz$/);
  });

  test("the project compiles with tsc --strict (and the quickstart shows its files as they are)", async () => {
    await bash("node_modules/.bin/tsc --strict --noEmit -p .", project, outsideEnv(), 120_000);
    for (const file of ["idl/hello.svc", "src/server.ts", "src/client.ts"]) {
      const created = await readFile(path.join(project, file), "utf8");
      expect(created).toBe(await readFile(path.join(templates, file), "utf8"));
      expect(block(`template: ${file}`)).toBe(created);
    }
  }, 120_000);

  test("--serve: the stateless method over REST and JSON-RPC, and the OpenAPI document", async () => {
    const server = spawn(process.execPath, ["dist/main.js", "--serve"], {
      cwd: project,
      env: outsideEnv({ PORT: "0" }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => server.on("exit", resolve));
    try {
      let printed = "";
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no address: ${printed}`)), 30_000);
        server.stdout.on("data", (chunk: Buffer) => {
          printed += chunk.toString();
          const found = /listening at (http:\/\/\S+)/.exec(printed);
          if (found) {
            clearTimeout(timer);
            resolve(found[1]!);
          }
        });
      });
      const json = { "content-type": "application/json" };
      const rest = await fetch(`${url}/hello.Hello/greet`, {
        method: "POST",
        headers: json,
        body: JSON.stringify({ name: "you" }),
      });
      expect(await rest.json()).toBe("Hello, you!");
      const rpc = await fetch(`${url}/rpc`, {
        method: "POST",
        headers: json,
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "hello.Hello.greet",
          params: { name: "you" },
        }),
      });
      expect(await rpc.json()).toEqual({ jsonrpc: "2.0", id: 1, result: "Hello, you!" });
      const openApi = (await (await fetch(`${url}/openapi.json`)).json()) as {
        paths: Record<string, unknown>;
      };
      expect(Object.keys(openApi.paths)).toContain("/hello.Hello/greet");
    } finally {
      server.kill("SIGINT");
    }
    expect(await exited).toBe(0);
  }, 60_000);
});
