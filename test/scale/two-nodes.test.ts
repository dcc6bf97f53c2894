/**
 * Two nodes in this process on one real redis-server: cluster groups, callback references
 * across nodes, and what happens when Redis goes away and comes back.
 */
import { afterAll, beforeAll, expect, it } from "@jest/globals";
import { until } from "../support/raw-clients.js";
import { RedisServer, withRedis } from "../support/redis-server.js";
import type { CallbackRef } from "@svcgen/runtime";
import type { Listener } from "./feed.js";
import { ListenerClient } from "./listener-client.js";
import { startNode, type TestNode } from "./node.js";

withRedis("two nodes on one Redis", () => {
  let redis: RedisServer;
  let a: TestNode;
  let b: TestNode;
  const clients: ListenerClient[] = [];

  async function client(node: TestNode): Promise<ListenerClient> {
    const opened = await ListenerClient.open(node.wsUrl);
    clients.push(opened);
    return opened;
  }

  beforeAll(async () => {
    redis = await RedisServer.start();
    const prefix = `t${process.pid}`;
    [a, b] = await Promise.all([
      startNode({ redisUrl: redis.url, prefix }),
      startNode({ redisUrl: redis.url, prefix }),
    ]);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all([a?.server.close(), b?.server.close()]);
    await redis?.stop();
  });

  it("a broadcast reaches the members on both nodes once, in order", async () => {
    const [onA, onB1, onB2] = await Promise.all([client(a), client(b), client(b)]);
    await Promise.all([onA.join("news"), onB1.join("news"), onB2.join("news")]);
    // The other node's subscription is active once its group has synced.
    await until(async () => (await onA.call("size", { group: "news" })) === 3);
    expect(await onA.call("publish", { group: "news", from: 1, count: 200 })).toBe(200 * 1);
    const expected = Array.from({ length: 200 }, (_, i) => i + 1);
    for (const member of [onA, onB1, onB2]) {
      expect(await member.waitForItems(200)).toEqual(expected);
    }
    // Nothing more arrives later (no duplicates from the echo of the publisher's node).
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const member of [onA, onB1, onB2]) expect(member.items()).toHaveLength(200);
  });

  it("a member that disconnects leaves the group on every node", async () => {
    const [onA, onB] = await Promise.all([client(a), client(b)]);
    await Promise.all([onA.join("leavers"), onB.join("leavers")]);
    await until(async () => (await onA.call("size", { group: "leavers" })) === 2);
    await onB.raw.vanish();
    await until(async () => (await onA.call("size", { group: "leavers" })) === 1);
    expect(await onA.call("publish", { group: "leavers", from: 1, count: 3 })).toBe(3);
    expect(await onA.waitForItems(3)).toEqual([1, 2, 3]);
  });

  it("an awaited callback held by the other node answers, and a oneway one arrives", async () => {
    const [holder, caller] = await Promise.all([client(a), client(b)]);
    const ref = await holder.join("refs");
    expect(JSON.parse(ref)).toEqual({
      node: a.server.nodeId,
      connection: expect.any(String),
      callback: "l1",
      type: "scale.Listener",
    });
    expect(await caller.call("ask", { ref, question: "q1" })).toBe("answer to q1");
    await caller.call("tell", { ref, n: 42 });
    expect(await holder.waitForItems(1)).toEqual([42]);
  });

  it("the client's error comes back across nodes as the same error, and stays the client's", async () => {
    const [holder, caller] = await Promise.all([client(a), client(b)]);
    const ref = JSON.parse(await holder.join("errors")) as CallbackRef<Listener>;
    holder.answer = () => ({ error: { code: -32005, message: "not you" } });
    await expect(b.server.callback(ref).answer("q")).rejects.toMatchObject({
      code: -32005,
      message: "not you",
    });
    // Escaping an implementation, a client's answer does not speak for the server, as on
    // one node: its caller gets an internal error.
    await expect(
      caller.call("ask", { ref: JSON.stringify(ref), question: "q" }),
    ).rejects.toMatchObject({
      code: -32603,
    });
  });

  it("a callback whose connection closed rejects with -32001 from the other node", async () => {
    const [holder, caller] = await Promise.all([client(a), client(b)]);
    const ref = await holder.join("gone");
    await holder.close();
    await until(() => a.server.callback(JSON.parse(ref)).released);
    await expect(caller.call("ask", { ref, question: "q" })).rejects.toMatchObject({
      code: -32001,
    });
  });

  it("on the node that holds it, server.callback(ref) is the proxy itself", async () => {
    const holder = await client(a);
    const ref = JSON.parse(await holder.join("same")) as CallbackRef<Listener>;
    const proxy = a.server.callback(ref);
    expect(a.server.callback(ref)).toBe(proxy);
    expect(proxy.ref).toEqual(ref);
    expect(await proxy.answer("local")).toBe("answer to local");
  });

  it("an awaited callback across nodes times out like a local one", async () => {
    const [holder, caller] = await Promise.all([client(a), client(b)]);
    const ref = await holder.join("slow");
    holder.answer = () => undefined; // never answers
    const started = Date.now();
    await expect(caller.call("ask", { ref, question: "q" })).rejects.toMatchObject({
      code: -32003,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
  });

  // Last: it stops Redis.
  it('Redis down: cross-node calls fail with "backplane" at once, local ones work; then it recovers', async () => {
    const [holder, caller, memberA, memberB] = await Promise.all([
      client(a),
      client(b),
      client(a),
      client(b),
    ]);
    const ref = await holder.hold();
    await Promise.all([memberA.join("outage"), memberB.join("outage")]);
    await until(async () => (await memberA.call("size", { group: "outage" })) === 2);

    await redis.stop();
    const started = Date.now();
    await expect(caller.call("ask", { ref, question: "q" })).rejects.toMatchObject({
      code: -32007,
      data: { reason: "backplane" },
    });
    expect(Date.now() - started).toBeLessThan(1_000);
    // The node that holds the callback still serves it.
    expect(await memberA.call("ask", { ref, question: "local" })).toBe("answer to local");
    // A broadcast still reaches the members of its own node.
    expect(await memberA.call("publish", { group: "outage", from: 1, count: 1 })).toBe(1);
    expect(await memberA.waitForItems(1)).toEqual([1]);

    await redis.start();
    await until(async () => {
      try {
        return (await caller.call("ask", { ref, question: "again" })) === "answer to again";
      } catch {
        return false;
      }
    });
    // Redis lost the group's history and missed a broadcast: the other node's member is
    // told to resubscribe rather than left with a silent gap.
    await until(() => memberB.releases().includes("resubscribe"));
    expect(memberB.items()).toEqual([]);
  });
});
