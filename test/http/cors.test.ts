/** The `cors` option: preflights answered, allowed origins echoed, others left without access. */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { startServer, type Running } from "./harness.js";

const page = "http://127.0.0.1:5173";
const stranger = "https://evil.example";

function preflight(url: string, origin: string, headers = "content-type, authorization") {
  return fetch(url, {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": headers,
    },
  });
}

function call(url: string, origin?: string) {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(origin ? { origin } : {}) },
    body: JSON.stringify({ a: 2, b: 3 }),
  });
}

describe("cors: a list of origins", () => {
  let running: Running;
  beforeAll(async () => {
    running = await startServer({ cors: { origins: [page] } });
  });
  afterAll(() => running.close());

  test("a preflight from an allowed origin: 204 with the Access-Control-* headers", async () => {
    const answer = await preflight(`${running.url}/shop.Shop/add`, page);
    expect(answer.status).toBe(204);
    expect(answer.headers.get("access-control-allow-origin")).toBe(page);
    expect(answer.headers.get("access-control-allow-methods")).toBe("GET, POST");
    expect(answer.headers.get("access-control-allow-headers")).toBe("content-type, authorization");
    expect(answer.headers.get("access-control-max-age")).toBe("600");
    expect(answer.headers.get("vary")).toBe("Origin");
    expect(await answer.text()).toBe("");
  });

  test("a call from an allowed origin is answered with its origin echoed", async () => {
    const answer = await call(`${running.url}/shop.Shop/add`, page);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toBe(5);
    expect(answer.headers.get("access-control-allow-origin")).toBe(page);
    expect(answer.headers.get("vary")).toBe("Origin");
  });

  test("/rpc and problem documents carry the headers too", async () => {
    const rpc = await fetch(`${running.url}/rpc`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: page },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "shop.Shop.add", params: [1, 1] }),
    });
    expect(await rpc.json()).toMatchObject({ result: 2 });
    expect(rpc.headers.get("access-control-allow-origin")).toBe(page);
    const missing = await call(`${running.url}/shop.Shop/nothing`, page);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("access-control-allow-origin")).toBe(page);
  });

  test("another origin: its preflight is refused with 403, its calls get no CORS headers", async () => {
    const refused = await preflight(`${running.url}/shop.Shop/add`, stranger);
    expect(refused.status).toBe(403);
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
    expect(await refused.json()).toMatchObject({ code: -32005, status: 403 });
    const answer = await call(`${running.url}/shop.Shop/add`, stranger);
    expect(answer.headers.get("access-control-allow-origin")).toBeNull();
    expect(answer.headers.get("vary")).toBe("Origin");
  });

  test("same-origin and non-browser calls (no Origin) are unchanged", async () => {
    const answer = await call(`${running.url}/shop.Shop/add`);
    expect(await answer.json()).toBe(5);
    expect(answer.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("cors: a function, credentials, fixed headers", () => {
  let running: Running;
  beforeAll(async () => {
    running = await startServer({
      cors: {
        origins: (origin) => origin.endsWith(".example.com"),
        credentials: true,
        allowHeaders: ["content-type", "x-api-key"],
        exposeHeaders: ["x-request-id"],
        maxAgeSeconds: 60,
      },
    });
  });
  afterAll(() => running.close());

  test("the function decides; the configured headers are sent instead of the asked ones", async () => {
    const origin = "https://app.example.com";
    const answer = await preflight(`${running.url}/shop.Shop/add`, origin, "x-other");
    expect(answer.status).toBe(204);
    expect(answer.headers.get("access-control-allow-origin")).toBe(origin);
    expect(answer.headers.get("access-control-allow-credentials")).toBe("true");
    expect(answer.headers.get("access-control-allow-headers")).toBe("content-type, x-api-key");
    expect(answer.headers.get("access-control-max-age")).toBe("60");
    const called = await call(`${running.url}/shop.Shop/add`, origin);
    expect(called.headers.get("access-control-expose-headers")).toBe("x-request-id");
    expect((await preflight(`${running.url}/shop.Shop/add`, stranger)).status).toBe(403);
  });
});

describe("cors off (the default)", () => {
  let running: Running;
  beforeAll(async () => {
    running = await startServer();
  });
  afterAll(() => running.close());

  test("no CORS headers and no preflight answer", async () => {
    const answer = await preflight(`${running.url}/shop.Shop/add`, page);
    expect(answer.status).toBe(405);
    expect(answer.headers.get("access-control-allow-origin")).toBeNull();
    expect(answer.headers.get("vary")).toBeNull();
  });
});
