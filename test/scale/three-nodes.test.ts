/**
 * Three node processes behind a TCP router on one real redis-server: a group spread over
 * the three gets every broadcast once and in order, an awaited callback across nodes
 * answers and fails with "node-lost" soon after its node is killed, a Redis restart
 * in the middle of a stream of broadcasts leaves no silent gap, and a session moved to
 * another node mid-stream keeps its guarantees until its node is killed, when it is lost
 * with "node-lost" and its subscriptions are made again.
 */
import { afterAll, beforeAll, expect, it } from "@jest/globals";
import { connectWebSocket, type WebSocketConnection } from "@svcgen/runtime";
import { until } from "../support/raw-clients.js";
import { FeedDescriptor, RecordingSink } from "../session/services.js";
import { ProbeDescriptor, type ProbeReport } from "./probe.js";
import { withRedis } from "../support/redis-server.js";
import { TestCluster } from "./cluster.js";
import { ListenerClient } from "./listener-client.js";

withRedis("three node processes", () => {
  let cluster: TestCluster;
  const clients: ListenerClient[] = [];
  const sessionClients: WebSocketConnection[] = [];

  /** Connections open one at a time, so that each goes where it was steered. */
  let opening: Promise<unknown> = Promise.resolve();

  /** A client whose connection the router sends to node `index`. */
  function clientOn(index: number): Promise<ListenerClient> {
    const opened = opening.then(async () => {
      cluster.router.steerNext(index);
      const client = await ListenerClient.open(cluster.router.url);
      clients.push(client);
      return client;
    });
    opening = opened.catch(() => undefined);
    return opened;
  }

  async function sizeIs(client: ListenerClient, group: string, size: number): Promise<void> {
    await until(async () => (await client.call("size", { group })) === size);
  }

  beforeAll(async () => {
    cluster = await TestCluster.start(3);
  }, 30_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await Promise.all(sessionClients.map((c) => c.close().catch(() => undefined)));
    await cluster?.stop();
  }, 30_000);

  it("two publishers on different nodes: every member gets each one's broadcasts once, in order", async () => {
    const members = await Promise.all([0, 0, 1, 1, 2, 2].map((index) => clientOn(index)));
    await Promise.all(members.map((member) => member.join("spread")));
    await sizeIs(members[0]!, "spread", 6);
    // Node 1 publishes 1..300, node 2 publishes 1001..1300, at the same time.
    await Promise.all([
      members[0]!.call("publish", { group: "spread", from: 1, count: 300 }),
      members[2]!.call("publish", { group: "spread", from: 1001, count: 300 }),
    ]);
    const first = Array.from({ length: 300 }, (_, i) => i + 1);
    const second = first.map((n) => n + 1000);
    for (const member of members) {
      const items = await member.waitForItems(600);
      expect(items.filter((n) => n < 1000)).toEqual(first);
      expect(items.filter((n) => n > 1000)).toEqual(second);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const member of members) expect(member.items()).toHaveLength(600);
  });

  it("an awaited callback across nodes answers; SIGKILL of its node fails it with node-lost within 2 s", async () => {
    const holder = await clientOn(0);
    const caller = await clientOn(1);
    const ref = await holder.hold();
    expect(await caller.call("ask", { ref, question: "across" })).toBe("answer to across");

    holder.answer = () => undefined; // the next question stays pending
    const pending = caller.call("ask", { ref, question: "pending" }).then(
      () => undefined,
      (error: { code: number; data?: { reason?: string } }) => error,
    );
    await until(() => holder.raw.messages.some((m) => m.params?.args?.question === "pending"));
    const killed = Date.now();
    await cluster.kill(0);
    const error = await pending;
    expect(Date.now() - killed).toBeLessThan(2_000);
    expect(error).toMatchObject({ code: -32007, data: { reason: "node-lost" } });
    // Later calls are refused at once.
    const again = Date.now();
    await expect(caller.call("ask", { ref, question: "later" })).rejects.toMatchObject({
      code: -32007,
      data: { reason: "node-lost" },
    });
    expect(Date.now() - again).toBeLessThan(1_000);
  });

  // Node 0 is gone from here on: the router must not send clients there.
  async function sessionClientOn(index: number) {
    const opened = opening.then(async () => {
      cluster.router.steerNext(index);
      const client = await connectWebSocket(cluster.router.url, {
        heartbeatMs: 200,
        reconnect: { initialDelayMs: 20, maxDelayMs: 100, maxAttempts: 1_000 },
      });
      sessionClients.push(client);
      const events: string[] = [];
      client.on("resumed", () => events.push("resumed"));
      client.on("sessionLost", (reason) => events.push(`lost:${reason}`));
      return { client, events };
    });
    opening = opened.catch(() => undefined);
    return opened;
  }

  async function report(client: WebSocketConnection): Promise<ProbeReport> {
    return JSON.parse(await client.call<string>(ProbeDescriptor, "report", []));
  }

  it("a Redis restart mid-broadcast: each member gets 1..k without a gap, and is told to resubscribe if k < all", async () => {
    const publisher = await clientOn(1);
    const members = await Promise.all([1, 2, 2].map((index) => clientOn(index)));
    await Promise.all(members.map((member) => member.join("restart")));
    await sizeIs(publisher, "restart", 3);
    const total = 200;
    let restarted: Promise<void> | undefined;
    for (let n = 1; n <= total; n++) {
      await publisher.call("publish", { group: "restart", from: n, count: 1 });
      if (n === total / 2) {
        restarted = cluster.redis.stop().then(() => cluster.redis.start());
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await restarted;
    const remote = members.slice(1);
    // The members of the other node missed broadcasts: they are told, not left behind.
    for (const member of remote) await until(() => member.releases().includes("resubscribe"));
    for (const member of members) {
      const items = member.items();
      expect(items).toEqual(Array.from({ length: items.length }, (_, i) => i + 1));
      if (items.length < total) expect(member.releases()).toContain("resubscribe");
    }
  }, 30_000);

  it("a session moved to node 3 mid-stream keeps its guarantees; SIGKILL of its node 2 loses it with node-lost, and @resubscribe calls are made again", async () => {
    cluster.router.avoid(0);
    const moved = await sessionClientOn(1);
    const stayed = await sessionClientOn(1);
    const movedSink = new RecordingSink();
    const stayedSink = new RecordingSink();
    const movedId = await moved.client.call<string>(FeedDescriptor, "subscribe", [movedSink]);
    await stayed.client.call<string>(FeedDescriptor, "subscribe", [stayedSink]);
    const owner = cluster.nodes[1]!.nodeId;

    // Moved mid-stream: the router sends its next connection to node 3 and cuts this one.
    const streamed = moved.client.call<number>(FeedDescriptor, "stream", [600, 40]);
    await until(() => movedSink.items.length >= 250);
    cluster.router.steerNext(2);
    cluster.router.cut(1);
    await until(() => moved.events.includes("resumed") && stayed.events.includes("resumed"));
    await expect(streamed).resolves.toBe(600);
    expect(movedSink.items).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
    expect([...movedSink.checkpoints.values()].every((n) => n === 1)).toBe(true);
    const before = await report(moved.client);
    // Still the session of node 2, the same one: one proxy, no release, nothing settled twice.
    expect(before).toMatchObject({ node: owner, proxies: 2, releases: [], settledTwice: [] });
    expect(before.subscribers).toContain(movedId);

    // SIGKILL of the owner: both clients lose their session with "node-lost" (the relayed
    // one is told by the relaying node, the other at its resume), then subscribe again.
    cluster.router.avoid(1);
    const killed = Date.now();
    await cluster.kill(1);
    for (const { events } of [moved, stayed]) {
      await until(() => events.includes("lost:node-lost"), 5_000);
    }
    expect(Date.now() - killed).toBeLessThan(3_000);
    for (const { client, events } of [moved, stayed]) {
      await until(async () => (await report(client)).subscribers.length === 2);
      const after = await report(client);
      expect(after.node).toBe(cluster.nodes[2]!.nodeId);
      expect(events.filter((e) => e.startsWith("lost"))).toEqual(["lost:node-lost"]);
    }
    // The subscriptions made again work: a stream on the new session arrives whole.
    const items = movedSink.items.length;
    await expect(moved.client.call<number>(FeedDescriptor, "stream", [20, 10])).resolves.toBe(20);
    expect(movedSink.items.slice(items)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  }, 30_000);
});
