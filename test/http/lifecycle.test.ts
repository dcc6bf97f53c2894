import { createServer } from "node:http";
import { describe, expect, test } from "@jest/globals";
import { RpcServer } from "@svcgen/runtime";
import { WebSocket } from "ws";
import { post, startServer } from "./harness.js";
import { Counter, CounterBase, Shop } from "./services.js";

describe("server lifecycle", () => {
  test("close() lets a short in-flight call finish", async () => {
    const running = await startServer({ closeGraceMs: 5_000 });
    const started = new Promise((resolve) => (running.shop.events.slowStarted = resolve));
    const pending = post(`${running.url}/shop.Shop/slow`, { ms: 50 });
    await started;
    await running.close();
    const answer = await pending;
    expect(answer.status).toBe(200);
    expect(answer.body).toBe("done");
  });

  test("close() aborts calls that outlive the grace period, then resolves", async () => {
    const running = await startServer({ closeGraceMs: 30 });
    const started = new Promise<AbortSignal>(
      (resolve) => (running.shop.events.slowStarted = resolve),
    );
    const pending = post(`${running.url}/shop.Shop/slow`, { ms: 60_000 });
    const signal = await started;
    await running.close();
    expect(signal.aborted).toBe(true);
    expect(running.shop.events.aborted).toBe(1);
    const answer = await pending;
    expect(answer.status).toBe(503);
    expect(answer.body.code).toBe(-32002);
  });

  test("a client that disconnects mid-call aborts ctx.signal", async () => {
    const running = await startServer();
    try {
      const started = new Promise<AbortSignal>(
        (resolve) => (running.shop.events.slowStarted = resolve),
      );
      const controller = new AbortController();
      const pending = fetch(`${running.url}/shop.Shop/slow`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"ms":60000}',
        signal: controller.signal,
      }).catch(() => "gone");
      const signal = await started;
      controller.abort();
      expect(await pending).toBe("gone");
      if (!signal.aborted)
        await new Promise((resolve) => signal.addEventListener("abort", resolve));
      expect(running.shop.events.aborted).toBe(1);
    } finally {
      await running.close();
    }
  });

  test("a base path mounts every route under it", async () => {
    const running = await startServer({ base: "/api/" });
    try {
      expect(running.url).toMatch(/\/api$/);
      expect((await post(`${running.url}/shop.Shop/add`, [1, 2])).body).toBe(3);
      const rpc = await post(`${running.url}/rpc`, {
        jsonrpc: "2.0",
        id: 1,
        method: "shop.Shop.add",
        params: [1, 1],
      });
      expect(rpc.body.result).toBe(2);
      const outside = await post(running.url.replace(/\/api$/, "/shop.Shop/add"), [1, 2]);
      expect(outside.status).toBe(404);
    } finally {
      await running.close();
    }
  });

  test("perConnection over HTTP is one instance per request", async () => {
    const running = await startServer({}, "perConnection");
    try {
      const body = [
        { jsonrpc: "2.0", id: 1, method: "shop.Counter.next" },
        { jsonrpc: "2.0", id: 2, method: "shop.Counter.next" },
      ];
      const batch = await post(`${running.url}/rpc`, body);
      expect(batch.body.map((r: { result: number }) => r.result).sort()).toEqual([1, 2]);
      expect((await post(`${running.url}/shop.Counter/next`)).body).toBe(1);
    } finally {
      await running.close();
    }
  });

  test("a service registered while serving is reachable over REST from then on", async () => {
    const rpc = new RpcServer({ logger: false });
    rpc.register(new Shop());
    const { url } = await rpc.listen();
    try {
      expect((await post(`${url}/shop.Shop/add`, [1, 1])).body).toBe(2);
      expect((await post(`${url}/shop.Counter/next`)).status).toBe(404);
      rpc.register(CounterBase, () => new Counter(), { instance: "perCall" });
      expect((await post(`${url}/shop.Counter/next`)).body).toBe(1);
      expect((await post(`${url}/shop.Shop/add`, [2, 2])).body).toBe(4);
    } finally {
      await rpc.close();
    }
  });

  test("it lives inside an existing node:http server next to other routes", async () => {
    const rpc = new RpcServer({ base: "/api", logger: false });
    rpc.register(new Shop());
    const http = createServer((req, res) =>
      rpc.requestListener(req, res, () => {
        res.statusCode = 200;
        res.end("app");
      }),
    );
    http.on("upgrade", rpc.handleUpgrade);
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const { port } = http.address() as import("node:net").AddressInfo;
    try {
      expect((await post(`http://127.0.0.1:${port}/api/shop.Shop/add`, [2, 2])).body).toBe(4);
      expect(await (await fetch(`http://127.0.0.1:${port}/home`)).text()).toBe("app");
    } finally {
      await rpc.close();
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    }
  });

  test("upgrades anywhere but {base}/ws are refused with 404", async () => {
    const running = await startServer();
    try {
      const socket = new WebSocket(`${running.url.replace("http", "ws")}/elsewhere`);
      const status = await new Promise<string>((resolve) => {
        socket.on("unexpected-response", (_req, res) => resolve(String(res.statusCode)));
        socket.on("error", (error) => resolve(error.message));
      });
      expect(status).toBe("404");
    } finally {
      await running.close();
    }
  });

  test("upgrades at {base}/ws reach the WebSocket endpoint; close() ends them", async () => {
    const running = await startServer({ base: "/api" });
    try {
      const socket = new WebSocket(`${running.url.replace("http", "ws")}/ws`);
      const answer = await new Promise<any>((resolve, reject) => {
        socket.on("open", () =>
          socket.send('{"jsonrpc":"2.0","id":1,"method":"shop.Shop.add","params":[2,3]}'),
        );
        socket.on("message", (data) => resolve(JSON.parse(String(data))));
        socket.on("error", reject);
      });
      expect(answer).toEqual({ jsonrpc: "2.0", id: 1, result: 5 });
      // close() ends open WebSocket connections too.
      const closed = new Promise((resolve) => socket.on("close", resolve));
      await running.close();
      await closed;
    } finally {
      await running.close();
    }
  });

  test("registering needs a generated base: clear errors otherwise", () => {
    const server = new RpcServer({ logger: false });
    expect(() => server.register({})).toThrow(/descriptor/);
    server.register(CounterBase, () => new Counter(), { instance: "perCall" });
    expect(() =>
      server.register(CounterBase, () => new Counter(), { instance: "perCall" }),
    ).toThrow(/already registered/);
  });
});
