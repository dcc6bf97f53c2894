/**
 * A page without a bundler, in real headless Chromium: a plain `<script type="module">` on
 * one origin loads generated modules as they are (bare `@svcgen/runtime` specifier) through
 * an import map pointing at the runtime's single-file build, calls REST on a server of
 * another origin (port) allowed by its `cors` option, and receives WebSocket callbacks.
 */
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, test } from "@jest/globals";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";
import type { RpcServer } from "@svcgen/runtime";
import { createExampleRpcServer } from "../../examples/services.js";
import { outsideProgram } from "../support/outside-program.js";

const CHROMIUM = "/usr/bin/chromium";
const withChromium = outsideProgram("chromium", CHROMIUM, "bash scripts/install-chromium.sh");
const root = fileURLToPath(new URL("../..", import.meta.url));
const bundle = join(root, "packages/runtime/dist/browser/svcgen-runtime.js");

/** The page as a user writes it: the import map of docs/runtime.md, then plain modules. */
const indexHtml = `<!doctype html>
<html>
  <head>
    <meta charset="utf-8" />
    <link rel="icon" href="data:," />
    <script type="importmap">
      { "imports": { "@svcgen/runtime": "/svcgen-runtime.js" } }
    </script>
    <script type="module" src="/main.js"></script>
  </head>
  <body></body>
</html>
`;

const mainJs = `
import { connectHttp, connectWebSocket, RpcError } from "@svcgen/runtime";
import { CalculatorClient, DivisionByZero } from "./calculator.js";
import { LongWorkClient } from "./longwork.js";

async function describeFailure(promise) {
  try {
    await promise;
    return "no error";
  } catch (error) {
    const kind = error instanceof DivisionByZero ? "DivisionByZero" : error instanceof RpcError ? "RpcError" : "other";
    return kind + " " + error.code;
  }
}

window.overRest = async (base) => {
  const calculator = new CalculatorClient(connectHttp(base));
  return {
    sum: await calculator.add(2, 3),
    thrown: await describeFailure(calculator.divide(1, 0)),
  };
};

window.overWebSocket = async (base) => {
  const connection = await connectWebSocket(base.replace(/^http/, "ws") + "/ws");
  const work = new LongWorkClient(connection);
  const percents = [];
  const done = new Promise((resolve, reject) => {
    const listener = {
      progress: (workId, percent) => percents.push(percent),
      finished: () => resolve(),
      failed: (workId, reason) => reject(new Error(reason)),
    };
    work.startWork("page", listener, { steps: 4, stepMillis: 5 }).catch(reject);
  });
  await done;
  await connection.close();
  return percents;
};
document.body.dataset.ready = "yes";
`;

let pageDir: string | undefined;
let pageServer: Server | undefined;
let pageOrigin = "";
let allowing: RpcServer | undefined;
let allowingUrl = "";
let refusing: RpcServer | undefined;
let refusingUrl = "";
let browser: Browser | undefined;

async function servePage(dir: string): Promise<Server> {
  const types: Record<string, string> = { ".html": "text/html", ".js": "text/javascript" };
  const files = new Map([
    ["/", "index.html"],
    ["/main.js", "main.js"],
    ["/svcgen-runtime.js", "svcgen-runtime.js"],
    ["/calculator.js", "calculator.js"],
    ["/longwork.js", "longwork.js"],
  ]);
  const server = createServer((req, res) => {
    const file = files.get((req.url ?? "/").split("?", 1)[0]!);
    if (file === undefined) return void res.writeHead(404).end();
    readFile(join(dir, file)).then(
      (body) => {
        const type = types[file.slice(file.lastIndexOf("."))] ?? "text/plain";
        res.writeHead(200, { "content-type": `${type}; charset=utf-8` }).end(body);
      },
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

async function openPage(): Promise<Page> {
  const page = await browser!.newPage();
  await page.goto(`${pageOrigin}/`);
  await page.waitForFunction(() => document.body.dataset.ready === "yes");
  return page;
}

withChromium("a page without a bundler, calling a server of another origin", () => {
  beforeAll(async () => {
    pageDir = await mkdtemp(join(tmpdir(), "svcgen-import-map-"));
    // The generated modules compiled one by one, imports untouched: what `tsc` would emit.
    await build({
      entryPoints: ["calculator", "longwork"].map((name) => join(root, `generated/${name}.ts`)),
      outdir: pageDir,
      bundle: false,
      format: "esm",
      platform: "browser",
      target: "es2022",
      logLevel: "warning",
    });
    await copyFile(bundle, join(pageDir, "svcgen-runtime.js"));
    await writeFile(join(pageDir, "index.html"), indexHtml);
    await writeFile(join(pageDir, "main.js"), mainJs);
    pageServer = await servePage(pageDir);
    pageOrigin = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}`;

    allowing = createExampleRpcServer({ logger: false, cors: { origins: [pageOrigin] } });
    allowingUrl = (await allowing.listen({ port: 0, host: "127.0.0.1" })).url;
    refusing = createExampleRpcServer({ logger: false });
    refusingUrl = (await refusing.listen({ port: 0, host: "127.0.0.1" })).url;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await allowing?.close();
    await refusing?.close();
    await new Promise((resolve) => (pageServer ? pageServer.close(resolve) : resolve(undefined)));
    if (pageDir) await rm(pageDir, { recursive: true, force: true });
  });

  test("the import map resolves @svcgen/runtime; REST works cross-origin with cors on", async () => {
    const page = await openPage();
    const answer = await page.evaluate((base) => (window as any).overRest(base), allowingUrl);
    expect(answer).toEqual({ sum: 5, thrown: "DivisionByZero -32000" });
    await page.close();
  }, 60_000);

  test("without the cors option the browser refuses the cross-origin call", async () => {
    const page = await openPage();
    const thrown = await page.evaluate(async (base) => {
      try {
        await (window as any).overRest(base);
        return "no error";
      } catch (error) {
        return String((error as { code?: unknown }).code);
      }
    }, refusingUrl);
    // The fetch fails before any answer is readable: the connection-level error.
    expect(thrown).toBe("-32007");
    await page.close();
  }, 60_000);

  test("a WebSocket call from the page is called back with every progress step", async () => {
    const page = await openPage();
    const percents = await page.evaluate(
      (base) => (window as any).overWebSocket(base),
      allowingUrl,
    );
    expect(percents).toEqual([25, 50, 75, 100]);
    await page.close();
  }, 60_000);
});
