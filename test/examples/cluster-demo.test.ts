/**
 * `npm run demo -- --nodes 3` end to end: the real script starts its Redis and three node
 * processes and prints one URL per node; two pages in headless Chromium, on two different
 * nodes, chat with each other; a signal stops everything.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, test } from "@jest/globals";
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";
import { outsideProgram } from "../support/outside-program.js";
import { withRedis } from "../support/redis-server.js";

const CHROMIUM = "/usr/bin/chromium";
const withChromium = outsideProgram("chromium", CHROMIUM, "bash scripts/install-chromium.sh");
const root = fileURLToPath(new URL("../..", import.meta.url));

withRedis("npm run demo -- --nodes 3", () => {
  withChromium("in the browser", () => {
    let demo: ChildProcess | undefined;
    let output = "";
    let urls: string[] = [];
    let browser: Browser | undefined;

    beforeAll(async () => {
      demo = spawn(process.execPath, ["scripts/demo.mjs", "--nodes", "3", "--port", "0"], {
        cwd: root,
        stdio: ["ignore", "pipe", "pipe"],
      });
      demo.stdout!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
      demo.stderr!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`demo did not start:\n${output}`)), 60_000);
        demo!.once("exit", (code) => reject(new Error(`demo exited with ${code}:\n${output}`)));
        const poll = setInterval(() => {
          if (!output.includes("Press Ctrl+C")) return;
          clearInterval(poll);
          clearTimeout(timer);
          resolve();
        }, 50);
      });
      urls = [...output.matchAll(/node \d: (http:\/\/\S+)/g)].map((match) => match[1]!);
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
    }, 90_000);

    afterAll(async () => {
      await browser?.close();
      if (demo !== undefined && demo.exitCode === null) demo.kill("SIGKILL");
    });

    async function openPage(url: string): Promise<Page> {
      const page = await browser!.newPage();
      await page.goto(url);
      await page.locator("#connection", { hasText: "connected" }).waitFor();
      return page;
    }

    async function joinAndSay(page: Page, name: string, text: string): Promise<void> {
      await page.fill("#name", name);
      await page.click("#join");
      await page.locator("#chat-status", { hasText: `You are ${name}` }).waitFor();
      await page.fill("#text", text);
      await page.click("#send");
    }

    test("prints one URL per node, each on its own port", () => {
      expect(urls).toHaveLength(3);
      expect(new Set(urls.map((url) => new URL(url).port)).size).toBe(3);
    });

    test("two pages on different nodes chat with each other", async () => {
      const ann = await openPage(urls[0]!);
      const ben = await openPage(urls[1]!);
      await joinAndSay(ben, "ben", "ben is here");
      await joinAndSay(ann, "ann", "hello from node 1");
      await ben.locator("#messages li", { hasText: "ann joined" }).waitFor();
      await ben.locator("#messages li", { hasText: "ann: hello from node 1" }).waitFor();
      await ben.fill("#text", "hello from node 2");
      await ben.click("#send");
      await ann.locator("#messages li", { hasText: "ben: hello from node 2" }).waitFor();
      const annLines = await ann.locator("#messages li").allTextContents();
      expect(annLines.filter((text) => text === "ben: hello from node 2")).toHaveLength(1);
      await ann.close();
      await ben.close();
    }, 60_000);

    test("SIGTERM stops the nodes and Redis, and the demo exits 0", async () => {
      const exited = new Promise<number | null>((resolve) => demo!.once("exit", resolve));
      demo!.kill("SIGTERM");
      await expect(exited).resolves.toBe(0);
    }, 20_000);
  });
});
