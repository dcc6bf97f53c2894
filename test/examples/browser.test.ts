/**
 * The browser page in real headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core): two pages chat with each other, and a long-work progress bar fills up
 * as the server pushes progress.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, test } from "@jest/globals";
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";
import { startExampleServer } from "../../examples/server.js";
import type { ExampleServer } from "../../examples/server.js";
import { FaultProxy } from "../support/fault-proxy.js";
import { outsideProgram } from "../support/outside-program.js";

const CHROMIUM = "/usr/bin/chromium";
const withChromium = outsideProgram("chromium", CHROMIUM, "bash scripts/install-chromium.sh");
const root = fileURLToPath(new URL("../..", import.meta.url));

let pageDir: string | undefined;
let server: ExampleServer | undefined;
let browser: Browser | undefined;

async function openPage(url = `${server!.url}/`): Promise<Page> {
  const page = await browser!.newPage();
  await page.goto(url);
  await page.locator("#connection", { hasText: "connected" }).waitFor();
  return page;
}

async function joinChat(page: Page, name: string): Promise<void> {
  await page.fill("#name", name);
  await page.click("#join");
  await page.locator("#chat-status", { hasText: `You are ${name}` }).waitFor();
}

async function say(page: Page, text: string): Promise<void> {
  await page.fill("#text", text);
  await page.click("#send");
}

function line(page: Page, text: string) {
  return page.locator("#messages li", { hasText: text });
}

withChromium("browser page", () => {
  beforeAll(async () => {
    // The page is bundled into a temp dir so that this test never races a build of build/.
    pageDir = await mkdtemp(join(tmpdir(), "svcgen-page-"));
    execFileSync(process.execPath, ["scripts/build-examples.mjs", "--out", pageDir], { cwd: root });
    server = await startExampleServer({
      port: 0,
      host: "127.0.0.1",
      pageDir,
      rpc: { logger: false },
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (pageDir) await rm(pageDir, { recursive: true, force: true });
  });

  test("two pages join the chat and see each other's messages", async () => {
    const ann = await openPage();
    const ben = await openPage();
    await joinChat(ann, "ann");
    await joinChat(ben, "ben");
    await expect(ben.locator("#chat-status").textContent()).resolves.toContain("also here: ann");
    await line(ann, "ben joined").waitFor();

    await say(ann, "hello from ann");
    await line(ben, "ann: hello from ann").waitFor();
    await say(ben, "hi ann, ben here");
    await line(ann, "ben: hi ann, ben here").waitFor();

    await ben.close();
    await line(ann, "ben disconnected").waitFor();
    await ann.close();
    // Generous: each page is a renderer process, slow to start on a busy machine.
  }, 90_000);

  test("a page whose socket is cut mid-chat resumes: nothing lost, nothing twice", async () => {
    // Ann's page (and so its WebSocket) goes through a relay that cuts it; Ben's does not.
    const relay = new FaultProxy(Number(new URL(server!.url).port));
    await relay.listen();
    try {
      const ann = await openPage(`http://127.0.0.1:${relay.port}/`);
      const ben = await openPage();
      await joinChat(ann, "ann2");
      await joinChat(ben, "ben2");
      await line(ann, "ben2 joined").waitFor();

      relay.cut(); // a TCP reset: no close frame, the page does not know yet
      await say(ben, "while you were away");
      await say(ann, "typed during the cut");
      await say(ben, "and once more");
      await ann.locator("#connection", { hasText: "connected (resumed)" }).waitFor();
      await line(ann, "ben2: and once more").waitFor();
      await line(ben, "ann2: typed during the cut").waitFor();
      const annLines = await ann.locator("#messages li").allTextContents();
      const heard = annLines.filter((text) => text.startsWith("ben2:") || text.startsWith("ann2:"));
      // Each once; Ben's two in the order he said them (Ann's own may fall between or after).
      expect([...heard].sort()).toEqual([
        "ann2: typed during the cut",
        "ben2: and once more",
        "ben2: while you were away",
      ]);
      expect(heard.indexOf("ben2: while you were away")).toBeLessThan(
        heard.indexOf("ben2: and once more"),
      );
      const benLines = await ben.locator("#messages li").allTextContents();
      expect(benLines.filter((text) => text.includes("ann2 disconnected"))).toEqual([]);
      expect(benLines.filter((text) => text === "ann2: typed during the cut")).toHaveLength(1);
      await ann.close();
      await ben.close();
    } finally {
      await relay.close();
    }
  }, 90_000);

  test("a page on MessagePack chats with a page on JSON, and resumes after a cut", async () => {
    const relay = new FaultProxy(Number(new URL(server!.url).port));
    await relay.listen();
    try {
      const ann = await openPage(`http://127.0.0.1:${relay.port}/?encoding=msgpack`);
      const ben = await openPage();
      expect(await ann.locator("#connection").getAttribute("data-encoding")).toBe("svc.msgpack");
      expect(await ben.locator("#connection").getAttribute("data-encoding")).toBe("svc.json");
      await joinChat(ann, "ann3");
      await joinChat(ben, "ben3");
      await line(ann, "ben3 joined").waitFor();
      await say(ann, "binary hello ü");
      await line(ben, "ann3: binary hello ü").waitFor();

      relay.cut();
      await say(ben, "said during the cut");
      await say(ann, "typed during the cut");
      await ann.locator("#connection", { hasText: "connected (resumed)" }).waitFor();
      await line(ann, "ben3: said during the cut").waitFor();
      await line(ben, "ann3: typed during the cut").waitFor();
      const annLines = await ann.locator("#messages li").allTextContents();
      expect(annLines.filter((text) => text === "ben3: said during the cut")).toHaveLength(1);
      await ann.close();
      await ben.close();
    } finally {
      await relay.close();
    }
  }, 90_000);

  test("starting a job fills its progress bar to 100 % as progress is pushed", async () => {
    const page = await openPage();
    await page.click("#start-work");
    await page.waitForFunction(
      () => (document.querySelector("#work-progress") as HTMLProgressElement).value === 100,
    );
    await page.locator("#work-status", { hasText: "Finished in" }).waitFor();
    await page.close();
  }, 60_000);
});
