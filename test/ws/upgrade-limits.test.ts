/** Per-node admission: maxConnections and the upgrade rate limit answer 503 with Retry-After. */
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { RpcServer, connectWebSocket, type WebSocketConnection } from "@svcgen/runtime";
import { FaultProxy } from "../support/fault-proxy.js";
import { FeedDescriptor, startFeed } from "../session/services.js";
import { afterEach, describe, expect, it } from "@jest/globals";
import { RawClient, startServer, until, type Running } from "./harness.js";

/** Sends an upgrade by hand; resolves with the status and Retry-After of a refusal, or 101. */
function upgrade(
  wsUrl: string,
  resuming = false,
): Promise<{ status: number; retryAfter?: string }> {
  const url = new URL(wsUrl.replace(/^ws/, "http"));
  if (resuming) url.searchParams.set("svcgen-resume", "1");
  return new Promise((resolve, reject) => {
    const req = request(url, {
      headers: {
        connection: "Upgrade",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      },
    });
    req.on("upgrade", (_res, socket) => {
      socket.destroy();
      resolve({ status: 101 });
    });
    req.on("response", (res) => {
      res.resume();
      const retryAfter = res.headers["retry-after"];
      resolve({ status: res.statusCode ?? 0, ...(retryAfter ? { retryAfter } : {}) });
    });
    req.on("error", reject);
    req.end();
  });
}

describe("upgrade admission", () => {
  let running: Pick<Running, "close"> | undefined;
  const clients: RawClient[] = [];

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await running?.close();
  });

  // Mounted with handleUpgrade on a server of its own: listen() and attach() would also cap
  // TCP connections at maxConnections, and node:http would drop the third before any answer.
  it("maxConnections: one more upgrade is answered 503, and a closed slot admits again", async () => {
    const rpc = new RpcServer({ logger: false, limits: { maxConnections: 2 } });
    const http = createServer();
    http.on("upgrade", rpc.handleUpgrade);
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const wsUrl = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/ws`;
    running = {
      close: async () => {
        await rpc.close();
        http.closeAllConnections();
        await new Promise((resolve) => http.close(resolve));
      },
    };
    for (let i = 0; i < 2; i++) {
      const client = new RawClient(wsUrl);
      clients.push(client);
      await client.opened;
    }
    expect(await upgrade(wsUrl)).toEqual({ status: 503, retryAfter: "1" });
    await clients.pop()!.close();
    await until(async () => (await upgrade(wsUrl)).status === 101);
  });

  it("upgradesPerSecond: a burst beyond the bucket is refused, then admitted as it refills", async () => {
    const started = await startServer({ limits: { upgradesPerSecond: 5, upgradeBurst: 3 } });
    running = started;
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await upgrade(started.wsUrl));
    expect(answers.slice(0, 3).map((a) => a.status)).toEqual([101, 101, 101]);
    expect(answers[3]).toEqual({ status: 503, retryAfter: "1" });
    // 5 per second: a token is back within a fifth of a second.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await upgrade(started.wsUrl)).status).toBe(101);
  });

  it("resumesPerSecond: a reconnect storm is admitted at the resume rate, new clients still get in, no session is lost", async () => {
    const feed = await startFeed({
      logger: false,
      limits: { resumesPerSecond: 5, resumeBurst: 4, upgradesPerSecond: 1_000 },
    });
    const proxy = new FaultProxy(feed.port);
    await proxy.listen();
    const storm: WebSocketConnection[] = [];
    running = {
      close: async () => {
        await Promise.all(storm.map((client) => client.close()));
        await proxy.close();
        await feed.close();
      },
    };
    const resumed: string[] = [];
    const lost: string[] = [];
    const attempts: number[] = [];
    for (let i = 0; i < 16; i++) {
      const client = await connectWebSocket(`ws://127.0.0.1:${proxy.port}/ws`, {
        heartbeatMs: 0,
        reconnect: { initialDelayMs: 20, maxDelayMs: 200, maxAttempts: 1_000 },
      });
      client.on("resumed", () => resumed.push(`c${i}`));
      client.on("sessionLost", (reason) => lost.push(reason));
      client.on("reconnecting", ({ attempt }) => (attempts[i] = attempt));
      storm.push(client);
    }
    // Pending across the storm: each completes once its client is back.
    const pending = storm.map((client) => client.call<number>(FeedDescriptor, "wait", [300]));
    proxy.cut(); // every client reconnects at once, resuming
    // Meanwhile the bucket is empty for resumes: 503 with Retry-After ...
    let refused: { status: number; retryAfter?: string } | undefined;
    await until(async () => {
      const answer = await upgrade(`ws://127.0.0.1:${feed.port}/ws`, true);
      if (answer.status === 503) refused = answer;
      return refused !== undefined;
    });
    expect(refused).toEqual({ status: 503, retryAfter: "1" });
    // ... while a new client gets in, and is served.
    const fresh = await connectWebSocket(`ws://127.0.0.1:${feed.port}/ws`, { reconnect: false });
    storm.push(fresh);
    expect(await fresh.call<number>(FeedDescriptor, "wait", [1])).toBe(1);
    // Every client of the storm resumes, at the resume rate, and nothing is lost.
    await expect(Promise.all(pending)).resolves.toEqual(storm.slice(0, 16).map(() => 300));
    await until(() => resumed.length === 16, 10_000);
    expect(lost).toEqual([]);
    // Beyond the burst, the storm's own resumes were refused and tried again.
    expect(attempts.filter((attempt) => attempt > 1).length).toBeGreaterThanOrEqual(4);
    expect(feed.server.webSocketStats.sessions).toBe(16); // the new client has none (no reconnect)
  }, 20_000);
});
