/** Sessions end to end: a real server, a real client, a fault proxy between them. */
import { afterEach, describe, expect, test } from "@jest/globals";
import { connectWebSocket, type WebSocketConnection } from "@svcgen/runtime";
import { FaultProxy } from "../support/fault-proxy.js";
import { until } from "../support/raw-clients.js";
import { FeedDescriptor, RecordingSink, startFeed, type FeedServer } from "./services.js";

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function setup(windowMs = 5_000) {
  const feed = await startFeed({ heartbeatMs: 100, sessions: { resumeWindowMs: windowMs } });
  const proxy = new FaultProxy(feed.port);
  await proxy.listen();
  cleanups.push(
    () => feed.close(),
    () => proxy.close(),
  );
  const client = await connectWebSocket(`ws://127.0.0.1:${proxy.port}/ws`, {
    heartbeatMs: 100,
    reconnect: { initialDelayMs: 10, maxDelayMs: 40 },
  });
  cleanups.push(() => client.close());
  const events: string[] = [];
  client.on("resumed", () => events.push("resumed"));
  client.on("sessionLost", (reason) => events.push(`lost:${reason}`));
  client.on("reconnected", () => events.push("reconnected"));
  client.on("released", (_object, reason) => events.push(`released:${reason}`));
  return { feed, proxy, client, events };
}

function call<T>(client: WebSocketConnection, method: string, ...args: unknown[]): Promise<T> {
  return client.call<T>(FeedDescriptor, method, args);
}

describe("a cut is invisible", () => {
  test("a pending call and a subscription survive a cut; the proxy stays the same object", async () => {
    const { feed, proxy, client, events } = await setup();
    const sink = new RecordingSink();
    const sessionId = await call<string>(client, "subscribe", sink);
    const waiting = call<number>(client, "wait", 300);
    await new Promise((resolve) => setTimeout(resolve, 50));
    proxy.cut();
    await expect(waiting).resolves.toBe(300);
    expect(events).toContain("resumed");
    const streamed = call<number>(client, "stream", 500, 50);
    await until(() => sink.items.length >= 200);
    proxy.cut();
    await expect(streamed).resolves.toBe(500);
    expect(sink.items).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect([...sink.checkpoints.values()].every((n) => n === 1)).toBe(true);
    expect(feed.feed.proxies).toHaveLength(1);
    expect(feed.feed.sinks.get(sessionId)).toBe(feed.feed.proxies[0]);
    expect(feed.feed.releases).toEqual([]);
    expect(events.filter((e) => e !== "resumed")).toEqual([]);
    expect(proxy.connections).toBeGreaterThanOrEqual(3);
    await client.close();
    await until(() => feed.feed.releases.length === 1);
    expect(feed.feed.releases).toEqual(["disconnected"]);
  });
});
