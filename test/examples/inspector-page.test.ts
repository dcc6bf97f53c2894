/**
 * The live inspector page in real headless Chromium (playwright-core), served by the example
 * server with `inspector: true`: it shows the traffic of real clients, and keeps showing it
 * as it happens (snapshots pushed over the Inspector service's callback). A PNG screenshot
 * is saved to build/screenshots/ and checked to show something.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, test } from "@jest/globals";
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";
import { connectHttp, connectWebSocket, type Connection } from "@svcgen/runtime";
import { CalculatorClient } from "../../generated/calculator.js";
import { ChatRoomClient } from "../../generated/chat.js";
import { startExampleServer, type ExampleServer } from "../../examples/server.js";
import { outsideProgram } from "../support/outside-program.js";
import { decodePng, inkShare } from "../support/png.js";

const CHROMIUM = "/usr/bin/chromium";
const withChromium = outsideProgram("chromium", CHROMIUM, "bash scripts/install-chromium.sh");
const screenshots = fileURLToPath(new URL("../../build/screenshots/", import.meta.url));

let server: ExampleServer | undefined;
let refusing: ExampleServer | undefined;
let browser: Browser | undefined;
const connections: Connection[] = [];

function cell(page: Page, method: string, column: string) {
  return page.locator(`#methods tr[data-method="${method}"] td.${column}`);
}

withChromium("inspector page", () => {
  beforeAll(async () => {
    server = await startExampleServer({ rpc: { logger: false, inspector: true } });
    refusing = await startExampleServer({
      rpc: {
        logger: false,
        inspector: true,
        authorize: (_ctx, method) => !method.wireName.startsWith("svcgen.inspector."),
      },
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  }, 90_000);

  afterAll(async () => {
    await Promise.allSettled(connections.map((connection) => connection.close()));
    await browser?.close();
    await server?.close();
    await refusing?.close();
  });

  test("shows the methods, connections, groups and errors of real traffic, live", async () => {
    const http = connectHttp(server!.url);
    connections.push(http);
    const calculator = new CalculatorClient(http);
    for (let i = 0; i < 3; i++) await calculator.add(i, 1);
    await expect(calculator.divide(1, 0)).rejects.toThrow();
    const chatter = await connectWebSocket(server!.wsUrl);
    connections.push(chatter);
    await new ChatRoomClient(chatter).join("ann", {
      message() {},
      joined() {},
      left() {},
    });

    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${server!.url}/inspector?interval=200`);
    await page.locator("#status.connected").waitFor();
    await cell(page, "calculator.Calculator.add", "calls").filter({ hasText: /^3$/ }).waitFor();
    await expect(
      cell(page, "calculator.Calculator.divide", "errors").textContent(),
    ).resolves.toMatch(/^1 \(-32000×1\)$/);
    await page.locator('#groups tr[data-group="chat"] td.members', { hasText: "1" }).waitFor();
    await page
      .locator("#errors td.method", { hasText: "calculator.Calculator.divide" })
      .first()
      .waitFor();
    // The chatter and the page itself; the chatter's callback shows its group.
    await page.locator("#connections td.callbacks", { hasText: "chat.ChatMember" }).waitFor();
    expect(await page.locator("#connections tr[data-connection]").count()).toBeGreaterThanOrEqual(
      2,
    );

    // Live: more calls show up without reloading, pushed by the next snapshots.
    for (let i = 0; i < 2; i++) await calculator.add(i, 2);
    await cell(page, "calculator.Calculator.add", "calls").filter({ hasText: /^5$/ }).waitFor();
    const snapshots = Number(await page.locator("body").getAttribute("data-snapshots"));
    expect(snapshots).toBeGreaterThan(1);

    const png = await page.screenshot({ fullPage: true });
    await mkdir(screenshots, { recursive: true });
    await writeFile(join(screenshots, "inspector.png"), png);
    const pixels = decodePng(png);
    expect(pixels.width).toBe(1280);
    // Tables full of figures: well more than a blank page's nothing.
    expect(inkShare(pixels)).toBeGreaterThan(0.03);
    await page.close();
  }, 90_000);

  test("a server whose authorize refuses the inspector shows the page but no data", async () => {
    const page = await browser!.newPage();
    await page.goto(`${refusing!.url}/inspector`);
    await page.locator("#status", { hasText: "not connected" }).waitFor();
    await expect(page.locator("#status").textContent()).resolves.toContain("-32005");
    expect(await page.locator("#methods tr[data-method]").count()).toBe(0);
    await page.close();
  }, 60_000);
});
