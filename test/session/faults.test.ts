/**
 * "No gap, no duplicate": a real server streams 20,000 oneway items, every 100th an awaited
 * checkpoint, to a real client through a fault-injecting proxy. Seeded fast-check places
 * faults in both directions: cuts, half-open black holes (the client notices first, so the
 * resume takes the old socket over), cuts in the middle of a frame, cuts during the
 * handshake and during the replay, cuts while an awaited callback runs, delays. Whatever
 * the plan, the client gets 1..N once each in order, each checkpoint handler runs once and
 * its promise on the server settles once, the proxy stays the same object, and no release
 * handler runs until the client closes, then exactly once.
 *
 * `npm test` runs 10 seeds; `SESSION_SEEDS=200 npm test -- test/session/faults` runs more
 * (`SESSION_SEED=n` runs one); a failure names its seed and plan.
 */
import { afterEach, describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { connectWebSocket } from "@svcgen/runtime";
import { FaultProxy, type Direction } from "../support/fault-proxy.js";
import { until } from "../support/raw-clients.js";
import { FeedDescriptor, RecordingSink, startFeed } from "./services.js";

const items = 20_000;
const every = 100;

type Fault =
  | { readonly kind: "cut" }
  | { readonly kind: "half-open" }
  | { readonly kind: "blackhole"; readonly direction: Direction }
  | { readonly kind: "mid-frame"; readonly bytes: number; readonly direction: Direction }
  | { readonly kind: "handshake"; readonly bytes: number; readonly direction: Direction }
  | { readonly kind: "replay"; readonly bytes: number }
  | { readonly kind: "delay"; readonly ms: number };

interface Placed {
  /** Applied once the client has received this many items... */
  readonly after: number;
  /** ...or, when set, from inside the checkpoint handler at that point (mid-call). */
  readonly inCheckpoint: boolean;
  readonly fault: Fault;
}

const direction = fc.constantFrom<Direction>("up", "down");
const faultArb: fc.Arbitrary<Fault> = fc.oneof(
  fc.constant({ kind: "cut" as const }),
  fc.constant({ kind: "half-open" as const }),
  fc.record({ kind: fc.constant("blackhole" as const), direction }),
  fc.record({
    kind: fc.constant("mid-frame" as const),
    bytes: fc.integer({ min: 1, max: 3000 }),
    direction,
  }),
  fc.record({
    kind: fc.constant("handshake" as const),
    bytes: fc.integer({ min: 0, max: 420 }),
    direction,
  }),
  fc.record({ kind: fc.constant("replay" as const), bytes: fc.integer({ min: 300, max: 4000 }) }),
  fc.record({ kind: fc.constant("delay" as const), ms: fc.integer({ min: 5, max: 60 }) }),
);
const planArb: fc.Arbitrary<Placed[]> = fc
  .array(
    fc.record({
      after: fc.integer({ min: 1, max: items - 1 }),
      inCheckpoint: fc.boolean(),
      fault: faultArb,
    }),
    { minLength: 3, maxLength: 8 },
  )
  .map((plan) => [...plan].sort((a, b) => a.after - b.after));

function seeds(): number[] {
  if (process.env["SESSION_SEED"]) return [Number(process.env["SESSION_SEED"])];
  const count = Number(process.env["SESSION_SEEDS"] ?? 10);
  return Array.from({ length: count }, (_, i) => 1000 + i);
}

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  cleanups = [];
});

function apply(proxy: FaultProxy, fault: Fault): void {
  switch (fault.kind) {
    case "cut":
      return proxy.cut();
    case "half-open":
      return proxy.halfOpen();
    case "blackhole":
      return proxy.blackhole(fault.direction);
    case "mid-frame":
      return proxy.cutAfterBytes(fault.bytes, fault.direction);
    case "handshake":
      // This socket dies now; the next one is cut within its upgrade or `$/session`.
      proxy.cutNextAfterBytes(fault.bytes, fault.direction);
      return proxy.cut();
    case "replay":
      // Cut now, while items are in flight; the next socket dies during the replay.
      proxy.cutNextAfterBytes(fault.bytes, "down");
      return proxy.cut();
    case "delay":
      proxy.delay(fault.ms);
      setTimeout(() => proxy.delay(0), 200).unref();
      return;
  }
}

async function run(seed: number, encoding: "json" | "msgpack" = "json"): Promise<void> {
  const [plan] = fc.sample(planArb, { seed, numRuns: 1 });
  const context = `seed ${seed} (${encoding}), plan ${JSON.stringify(plan)}`;
  // The server's heartbeat is slower than the client's: a half-open socket is noticed by the
  // client first, so its resume has to take the server's old socket over (close 4000).
  const feed = await startFeed({
    heartbeatMs: 400,
    callbackTimeoutMs: 60_000,
    sessions: { resumeWindowMs: 30_000 },
  });
  const proxy = new FaultProxy(feed.port);
  await proxy.listen();
  cleanups.push(
    () => feed.close(),
    () => proxy.close(),
  );
  const client = await connectWebSocket(`ws://127.0.0.1:${proxy.port}/ws`, {
    heartbeatMs: 50,
    timeoutMs: 120_000,
    connectTimeoutMs: 2_000,
    reconnect: { initialDelayMs: 5, maxDelayMs: 40 },
    encoding,
  });
  cleanups.push(() => client.close());
  expect(client.encoding).toBe(`svc.${encoding}`);
  const lost: string[] = [];
  const clientReleases: string[] = [];
  client.on("sessionLost", (reason) => lost.push(reason));
  client.on("released", (_object, reason) => clientReleases.push(reason));

  const pending = [...(plan ?? [])];
  const sink = new RecordingSink();
  const fireDue = (inCheckpoint: boolean) => {
    while (pending.length > 0 && pending[0]!.after <= sink.items.length) {
      const next = pending[0]!;
      if (next.inCheckpoint && !inCheckpoint) return;
      pending.shift();
      apply(proxy, next.fault);
    }
  };
  const recording = {
    item: (i: number) => {
      sink.item(i);
      fireDue(false);
    },
    checkpoint: (i: number) => {
      const answer = sink.checkpoint(i);
      fireDue(true); // the answer goes out after the fault: it must survive it
      return answer;
    },
    latest: () => undefined,
  };
  const sessionId = await client.call<string>(FeedDescriptor, "subscribe", [recording]);
  let settledOnClient = 0;
  const streamed = client.call<number>(FeedDescriptor, "stream", [items, every]).then(
    (n) => (settledOnClient++, n),
    (error: unknown) => {
      settledOnClient++;
      throw error;
    },
  );
  try {
    await expect(streamed).resolves.toBe(items);
    expect(settledOnClient).toBe(1);
    const expected = Array.from({ length: items }, (_, i) => i + 1);
    if (sink.items.length !== items || sink.items.some((n, i) => n !== expected[i])) {
      const firstBad = sink.items.findIndex((n, i) => n !== expected[i]);
      throw new Error(
        `items out of order at ${firstBad}: ${sink.items.slice(firstBad, firstBad + 5)}`,
      );
    }
    expect(sink.checkpoints.size).toBe(items / every);
    expect([...sink.checkpoints.values()].every((n) => n === 1)).toBe(true);
    expect(feed.feed.settled.size).toBe(items / every);
    expect([...feed.feed.settled.values()].every((n) => n === 1)).toBe(true);
    expect(feed.feed.checkpointErrors).toEqual([]);
    expect(feed.feed.proxies).toHaveLength(1);
    expect(feed.feed.sinks.get(sessionId)).toBe(feed.feed.proxies[0]);
    expect(feed.feed.releases).toEqual([]);
    expect(lost).toEqual([]);
    expect(clientReleases).toEqual([]);
    await client.close();
    await until(() => feed.feed.releases.length > 0, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(feed.feed.releases).toEqual(["disconnected"]);
  } catch (error) {
    (error as Error).message = `${context}\n${(error as Error).message}`;
    console.error(`session fault run failed: ${context}`);
    throw error;
  }
}

describe("no gap, no duplicate, through faults", () => {
  for (const seed of seeds()) {
    test(`seed ${seed}`, () => run(seed), 120_000);
  }
  // The same plans under MessagePack: stamped binary frames, bytes counted as bytes.
  for (const seed of seeds().slice(0, 4)) {
    test(`seed ${seed} under svc.msgpack`, () => run(seed, "msgpack"), 120_000);
  }
});
