/**
 * When a session cannot survive: an outage past the window, a detached session over its
 * byte bound, the node-wide bound on detached sessions, a resume by someone else, a client
 * that does not acknowledge. Each side is told once, with the reason; memory comes back.
 */
import { afterEach, describe, expect, test } from "@jest/globals";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { connectWebSocket, type WebSocketConnection } from "@svcgen/runtime";
import { FaultProxy } from "../support/fault-proxy.js";
import { RawClient, until } from "../support/raw-clients.js";
import { FeedDescriptor, RecordingSink, startFeed, type FeedServer } from "./services.js";

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  cleanups = [];
});

async function serve(
  options: Parameters<typeof startFeed>[0],
): Promise<{ feed: FeedServer; proxy: FaultProxy }> {
  const feed = await startFeed({ heartbeatMs: 100, ...options });
  const proxy = new FaultProxy(feed.port);
  await proxy.listen();
  cleanups.push(
    () => feed.close(),
    () => proxy.close(),
  );
  return { feed, proxy };
}

interface Watched {
  readonly client: WebSocketConnection;
  readonly events: string[];
}

async function connect(proxy: FaultProxy, headers?: Record<string, string>): Promise<Watched> {
  const client = await connectWebSocket(`ws://127.0.0.1:${proxy.port}/ws`, {
    heartbeatMs: 100,
    reconnect: { initialDelayMs: 10, maxDelayMs: 40 },
    ...(headers && { headers }),
  });
  cleanups.push(() => client.close());
  const events: string[] = [];
  client.on("sessionLost", (reason) => events.push(`lost:${reason}`));
  client.on("released", (_object, reason) => events.push(`released:${reason}`));
  client.on("resumed", () => events.push("resumed"));
  return { client, events };
}

const call = <T>(client: WebSocketConnection, method: string, ...args: unknown[]) =>
  client.call<T>(FeedDescriptor, method, args);

function gc(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

async function settledHeap(collect: () => void): Promise<number> {
  for (let i = 0; i < 3; i++) {
    collect();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

describe("a lost session", () => {
  test("an outage past the window: 'expired' once on each side, pending calls -32007, memory back", async () => {
    const { feed, proxy } = await serve({ sessions: { resumeWindowMs: 400 } });
    const { client, events } = await connect(proxy);
    const sink = new RecordingSink();
    const sessionId = await call<string>(client, "subscribe", sink);
    const collect = gc();
    await call(client, "burst", 10); // warm every path once
    const before = await settledHeap(collect);

    const pending = call(client, "wait", 2_000).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 20));
    proxy.setOffline(true);
    // While detached the server keeps streaming: ~500 KB that must all be let go on expiry.
    await until(() => feed.server.webSocketStats.sockets === 0);
    const ctx = { connection: { id: sessionId } } as never;
    for (let i = 0; i < 5; i++) feed.feed.burst(1_000, ctx);
    expect(feed.server.webSocketStats.detachedBytes).toBeGreaterThan(400_000);
    await until(() => feed.feed.releases.length === 1, 5_000);
    expect(feed.feed.releases).toEqual(["expired"]);
    expect(feed.server.webSocketStats).toMatchObject({ sessions: 0, detachedBytes: 0 });

    proxy.setOffline(false);
    const failure = (await pending) as { code: number; data: unknown };
    expect(failure).toMatchObject({ code: -32007, data: { reason: "expired" } });
    await until(() => feed.feed.proxies.length === 2); // @resubscribe: subscribed again
    expect(events.filter((e) => e.startsWith("lost:"))).toEqual(["lost:expired"]);
    expect(events.filter((e) => e.startsWith("released:"))).toEqual(["released:expired"]);
    expect(feed.feed.releases).toEqual(["expired"]); // still once
    // The same sink object was handed again: items reach it in the new session.
    const count = sink.items.length;
    await call(client, "burst", 5);
    await until(() => sink.items.length === count + 5);
    expect(feed.feed.proxies[1]).not.toBe(feed.feed.proxies[0]);

    const after = await settledHeap(collect);
    expect(after).toBeLessThanOrEqual(before * 1.1);
  });

  test("a detached session over maxUnackedBytes expires early, long before its window", async () => {
    const { feed, proxy } = await serve({
      sessions: { resumeWindowMs: 30_000, maxUnackedBytes: 64 * 1024 },
    });
    const { client, events } = await connect(proxy);
    const sessionId = await call<string>(client, "subscribe", new RecordingSink());
    proxy.setOffline(true);
    await until(() => feed.server.webSocketStats.sockets === 0);
    const ctx = { connection: { id: sessionId } } as never;
    feed.feed.burst(500, ctx); // ~25 KB: kept
    expect(feed.feed.releases).toEqual([]);
    expect(feed.server.webSocketStats.detachedBytes).toBeGreaterThan(10_000);
    feed.feed.burst(2_000, ctx); // over 64 KiB: given up at once
    expect(feed.feed.releases).toEqual(["expired"]);
    expect(feed.server.webSocketStats).toMatchObject({ sessions: 0, detachedBytes: 0 });
    proxy.setOffline(false);
    await until(() => events.includes("lost:expired"));
  });

  test("the node-wide bound on detached bytes expires the oldest detached session first", async () => {
    const { feed, proxy } = await serve({
      sessions: { resumeWindowMs: 30_000, maxUnackedBytes: 1 << 20, maxDetachedBytes: 150_000 },
    });
    // A proxy each, so that the older detaches first.
    const otherProxy = new FaultProxy(feed.port);
    await otherProxy.listen();
    cleanups.push(() => otherProxy.close());
    const older = await connect(proxy);
    const olderId = await call<string>(older.client, "subscribe", new RecordingSink());
    const newer = await connect(otherProxy);
    const newerSink = new RecordingSink();
    const newerId = await call<string>(newer.client, "subscribe", newerSink);
    const releases: string[] = [];
    feed.feed.proxies[0]!.onRelease((reason) => releases.push(`older:${reason}`));
    feed.feed.proxies[1]!.onRelease((reason) => releases.push(`newer:${reason}`));
    proxy.setOffline(true);
    await until(() => feed.server.webSocketStats.sockets === 1);
    otherProxy.setOffline(true);
    await until(() => feed.server.webSocketStats.sockets === 0);
    feed.feed.burst(600, { connection: { id: olderId } } as never); // ~63 KB
    feed.feed.burst(600, { connection: { id: newerId } } as never); // ~63 KB: 126 KB in all
    expect(releases).toEqual([]);
    feed.feed.burst(400, { connection: { id: newerId } } as never); // over 150 KB
    expect(releases).toEqual(["older:expired"]);
    expect(feed.server.webSocketStats.detachedBytes).toBeLessThan(150_000);
    proxy.setOffline(false);
    otherProxy.setOffline(false);
    await until(() => older.events.includes("lost:expired") && newer.events.includes("resumed"));
    await until(() => newerSink.items.length === 1000);
    expect(newer.events.filter((e) => e.startsWith("lost"))).toEqual([]);
  });

  test("a resume that authenticates as someone else is refused: 'principal', the owner's session kept", async () => {
    let user = "alice";
    const { feed, proxy } = await serve({
      authenticate: () => ({ user }),
      sessions: { resumeWindowMs: 500 },
    });
    const { client, events } = await connect(proxy);
    await call(client, "subscribe", new RecordingSink());
    user = "mallory";
    proxy.cut();
    await until(() => events.includes("lost:principal"));
    expect(events).toContain("released:principal");
    // The owner's session was not ended by the attempt; it expires on its own.
    expect(feed.feed.releases).toEqual([]);
    await until(() => feed.feed.releases.length === 1, 3_000);
    expect(feed.feed.releases).toEqual(["expired"]);
    // Resubscribed as the new principal, in a new session.
    await until(() => feed.feed.proxies.length === 2);
  });

  test("attached, a client that does not acknowledge is closed with 1008 as a slow consumer", async () => {
    const { feed } = await serve({ sessions: { maxUnackedBytes: 16 * 1024 } });
    const client = new RawClient(`ws://127.0.0.1:${feed.port}/ws`);
    cleanups.push(() => client.close());
    await client.opened;
    await client.request(0, "$/session", { resume: null, ack: 0 });
    client.send({
      jsonrpc: "2.0",
      seq: 1,
      id: 1,
      method: "feed.Feed.subscribe",
      params: { sink: "c1" },
    });
    await client.next((m) => m.id === 1);
    // One burst leaves in one write; the next finds it unacknowledged.
    client.send({
      jsonrpc: "2.0",
      seq: 2,
      id: 2,
      method: "feed.Feed.burst",
      params: { count: 500 },
    });
    await client.next((m) => m.id === 2);
    client.send({
      jsonrpc: "2.0",
      seq: 3,
      id: 3,
      method: "feed.Feed.burst",
      params: { count: 500 },
    });
    expect((await client.closed).code).toBe(1008);
    expect(feed.feed.releases).toEqual(["slow-consumer"]);
  });
});

describe("@conflate", () => {
  test("while detached only the latest call per key is kept, and nothing after it is overtaken", async () => {
    const { feed, proxy } = await serve({ sessions: { resumeWindowMs: 10_000 } });
    const { client, events } = await connect(proxy);
    const sink = new RecordingSink();
    const sessionId = await call<string>(client, "subscribe", sink);
    proxy.setOffline(true);
    await until(() => feed.server.webSocketStats.sockets === 0);
    const ctx = { connection: { id: sessionId } } as never;
    feed.feed.latest(10, 100, ctx); // 1,000 calls, 10 keys
    const kept = feed.server.webSocketStats.detachedBytes;
    expect(kept).toBeLessThan(10 * 200);
    feed.feed.burst(3, ctx); // not conflatable: after the latest values
    proxy.setOffline(false);
    await until(() => events.includes("resumed") && sink.items.length === 3);
    expect([...sink.latestValues.entries()].sort()).toEqual(
      Array.from({ length: 10 }, (_, key) => [`k${key}`, [100]]).sort(),
    );
  });
});
