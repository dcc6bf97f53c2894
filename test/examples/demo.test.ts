/**
 * `npm run demo` end to end: the real script in its own process, as a user runs it (it
 * builds first when build/ is missing or stale).
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, test } from "@jest/globals";

const root = fileURLToPath(new URL("../..", import.meta.url));

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runDemo(): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["scripts/demo.mjs"], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("npm run demo", () => {
  let demo: Finished;

  // One run serves every assertion; it builds first when build/ is missing or stale.
  beforeAll(async () => {
    demo = await runDemo();
  }, 120_000);

  test("exits 0 by itself", () => {
    if (demo.code !== 0) {
      throw new Error(`the demo exited with ${demo.code}\n${demo.stdout}\n${demo.stderr}`);
    }
  });

  test("shows concurrent long work reaching 100 %, a planned failure and a cancellation", () => {
    for (const name of ["compile", "test", "package"]) {
      expect(demo.stdout).toMatch(new RegExp(`${name} .*100%  done in \\d+ ms`));
    }
    expect(demo.stdout).toMatch(/deploy .*failed: step 7 of 10 failed/);
    expect(demo.stdout).toMatch(/nightly .*failed: cancelled/);
    expect(demo.stdout).toContain("totalWorkCount() over REST = 5");
  });

  test("shows the chat exchange as each member's callback received it", () => {
    expect(demo.stdout).toContain("bob joined; already there: alice");
    expect(demo.stdout).toContain("alice hears  bob joined");
    expect(demo.stdout).toContain("bob   hears  alice: Hi Bob, the build is green.");
    expect(demo.stdout).toContain("alice hears  bob: Great, shipping it!");
    expect(demo.stdout).toContain("alice hears  bob left");
  });

  test("shows the calculator results over REST, the declared error included", () => {
    expect(demo.stdout).toMatch(/add\(2, 3\) += 5\n/);
    expect(demo.stdout).toMatch(/sum\(\[1\.5, 2\.5, 6\]\) += 10\n/);
    expect(demo.stdout).toMatch(/divide\(10, 4\) += 2\.5\n/);
    expect(demo.stdout).toMatch(/divide\(1, 0\) +threw DivisionByZero \{ dividend: 1 \}/);
    expect(demo.stdout).toMatch(/Summary[\s\S]*3 finished, 2 failed or cancelled, 5 started/);
  });
});

describe("npm run demo -- --serve --port", () => {
  test("--port 0: serves on the free port it prints, until SIGINT", async () => {
    const child = spawn(process.execPath, ["scripts/demo.mjs", "--serve", "--port", "0"], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    let printed = "";
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no address: ${printed}`)), 60_000);
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
          printed += chunk;
          const found = /example server at (http:\/\/127\.0\.0\.1:(\d+))/.exec(printed);
          if (found) {
            clearTimeout(timer);
            resolve(found[1]!);
          }
        });
      });
      expect(url).not.toMatch(/:8080$/);
      const openApi = await fetch(`${url}/openapi.json`);
      expect(openApi.status).toBe(200);
    } finally {
      child.kill("SIGINT");
    }
    expect(await exited).toBe(0);
  }, 90_000);

  test("a --port that is not a port: exit 2 and a message", async () => {
    const child = spawn(process.execPath, ["scripts/demo.mjs", "--port", "eighty"], {
      cwd: root,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code).toBe(2);
    expect(stderr).toBe('demo: --port takes a number from 0 to 65535, not "eighty"\n');
  }, 90_000);
});
