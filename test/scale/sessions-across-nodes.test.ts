/**
 * Sessions across nodes, three nodes in this process on one real redis-server behind the
 * TCP router: a client whose connection is moved to another node keeps its session there
 * (relayed to the node that owns it), with the sessions suite's guarantees; a resume is
 * checked for its principal on the owner; Redis going away mid-relay costs the client a
 * reconnect, never its session, and never a hang.
 */
import { afterAll, afterEach, beforeAll, expect, it } from "@jest/globals";
import { connectWebSocket, type WebSocketConnection } from "@svcgen/runtime";
import { RawClient, until } from "../support/raw-clients.js";
import { RedisServer, withRedis } from "../support/redis-server.js";
import { FeedDescriptor, RecordingSink } from "../session/services.js";
import { startNode, type TestNode } from "./node.js";
import { TcpRouter } from "./tcp-router.js";

withRedis("sessions across nodes", () => {
  let redis: RedisServer;
  let nodes: TestNode[];
  let router: TcpRouter;
  let cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
    const prefix = `s${process.pid}`;
    nodes = await Promise.all(
      [0, 1, 2].map(() =>
        startNode({
          redisUrl: redis.url,
          prefix,
          server: {
            heartbeatMs: 200,
            sessions: { resumeWindowMs: 10_000 },
            // The principal is the upgrade's "user" query parameter.
            authenticate: (req) =>
              new URL(req.url ?? "/", "http://x").searchParams.get("user") ?? "anon",
          },
        }),
      ),
    );
    router = new TcpRouter(nodes.map((node) => node.port));
    await router.listen();
  }, 30_000);

  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups = [];
  });

  afterAll(async () => {
    await router?.close();
    await Promise.all(nodes?.map((node) => node.server.close()) ?? []);
    await redis?.stop();
  }, 30_000);

  async function clientOn(index: number, encoding: "json" | "msgpack" = "json") {
    router.steerNext(index);
    const client = await connectWebSocket(`${router.url}?user=ann`, {
      heartbeatMs: 200,
      reconnect: { initialDelayMs: 20, maxDelayMs: 100, maxAttempts: 1_000 },
      encoding,
    });
    expect(client.encoding).toBe(`svc.${encoding}`);
    cleanups.push(() => client.close());
    const events: string[] = [];
    client.on("resumed", () => events.push("resumed"));
    client.on("sessionLost", (reason) => events.push(`lost:${reason}`));
    client.on("released", (_object, reason) => events.push(`released:${reason}`));
    return { client, events };
  }

  async function rawClient(url: string): Promise<RawClient> {
    const client = new RawClient(url);
    await client.opened;
    return client;
  }

  function call<T>(client: WebSocketConnection, method: string, ...args: unknown[]): Promise<T> {
    return client.call<T>(FeedDescriptor, method, args);
  }

  /** Moves the client's next connection to node `index` and cuts the current one. */
  async function moveTo(index: number, events: string[]): Promise<void> {
    const resumedBefore = events.filter((e) => e === "resumed").length;
    router.steerNext(index);
    expect(router.cut()).toBe(1);
    await until(() => events.filter((e) => e === "resumed").length > resumedBefore, 5_000);
    expect(router.connectionsTo(index)).toBe(1);
  }

  async function movedAround(encoding: "json" | "msgpack"): Promise<void> {
    const owner = nodes[0]!;
    // The nodes live for the whole suite: what an earlier run left on the owner is not ours.
    owner.sessions.settled.clear();
    owner.sessions.proxies.length = 0;
    owner.sessions.releases.length = 0;
    const { client, events } = await clientOn(0, encoding);
    const sink = new RecordingSink();
    const sessionId = await call<string>(client, "subscribe", sink);
    expect(owner.sessions.sinks.has(sessionId)).toBe(true);

    const streamed = call<number>(client, "stream", 900, 30);
    await until(() => sink.items.length >= 200);
    await moveTo(1, events);
    await until(() => sink.items.length >= 450);
    await moveTo(2, events);
    await until(() => sink.items.length >= 700);
    await moveTo(0, events);
    await expect(streamed).resolves.toBe(900);

    expect(sink.items).toEqual(Array.from({ length: 900 }, (_, i) => i + 1));
    expect([...sink.checkpoints.values()].every((n) => n === 1)).toBe(true);
    expect([...owner.sessions.settled.values()].every((n) => n === 1)).toBe(true);
    expect(owner.sessions.proxies).toHaveLength(1);
    expect(owner.sessions.sinks.get(sessionId)).toBe(owner.sessions.proxies[0]);
    expect(owner.sessions.releases).toEqual([]);
    expect(events.filter((e) => e !== "resumed")).toEqual([]);
    // The session never left its node: the others only relayed.
    for (const other of nodes.slice(1)) expect(other.sessions.proxies).toHaveLength(0);

    await client.close();
    await until(() => owner.sessions.releases.length === 1);
    expect(owner.sessions.releases).toEqual(["disconnected"]);
  }

  it("moved to node 2, then 3, then back to 1 mid-stream: no gap, no duplicate, one proxy, no release", () =>
    movedAround("json"));

  it("the same under svc.msgpack: binary frames relayed both ways", () => movedAround("msgpack"));

  it("relayed: calls run on the owner with the same connection id, and an awaited callback in flight completes once", async () => {
    const owner = nodes[1]!;
    const { client, events } = await clientOn(1);
    const sink = new RecordingSink();
    const sessionId = await call<string>(client, "subscribe", sink);
    await moveTo(2, events);
    // A call made through the relay runs on the owner, in the same session.
    expect(await call<number>(client, "wait", 1)).toBe(1);
    expect(await call<string>(client, "subscribe", sink)).toBe(sessionId);
    expect(owner.sessions.proxies).toHaveLength(2);
    expect(owner.sessions.proxies[1]).toBe(owner.sessions.proxies[0]);

    // A checkpoint awaits the client's answer while the connection moves back.
    let answer!: () => void;
    const gate = new Promise<void>((resolve) => (answer = resolve));
    sink.checkpoint = (async (i: number) => {
      await gate;
      sink.checkpoints.set(i, (sink.checkpoints.get(i) ?? 0) + 1);
      return i;
    }) as never;
    const streamed = call<number>(client, "stream", 10, 10);
    await until(() => sink.items.length >= 9);
    await moveTo(1, events);
    answer();
    await expect(streamed).resolves.toBe(10);
    expect(sink.checkpoints.get(10)).toBe(1);
    expect(owner.sessions.settled.get(10)).toBe(1);
    expect(owner.sessions.releases).toEqual([]);
  });

  it("a resume on another node is checked for its principal on the owner", async () => {
    const owner = await rawClient(`ws://127.0.0.1:${nodes[0]!.port}/ws?user=ann`);
    cleanups.push(() => owner.close());
    const opened = await owner.request(0, "$/session", { resume: null, ack: 0 });
    const token = opened.result.session as string;
    expect(token.split(".")[2]).toBe(nodes[0]!.server.nodeId);
    await owner.vanish();

    const intruder = await rawClient(`ws://127.0.0.1:${nodes[1]!.port}/ws?user=bob`);
    cleanups.push(() => intruder.close());
    const refused = await intruder.request(0, "$/session", {
      resume: token,
      ack: 0,
      features: ["batch"],
    });
    // A fresh session on the node reached, with what the client asked for.
    expect(refused.result).toMatchObject({
      resumed: false,
      reason: "principal",
      features: ["batch"],
    });
    expect(refused.result.session).not.toBe(token);

    const same = await rawClient(`ws://127.0.0.1:${nodes[2]!.port}/ws?user=ann`);
    cleanups.push(() => same.close());
    const resumed = await same.request(0, "$/session", { resume: token, ack: 0 });
    expect(resumed.result).toMatchObject({ session: token, resumed: true, ack: 0 });

    const forged = await rawClient(`ws://127.0.0.1:${nodes[2]!.port}/ws?user=ann`);
    cleanups.push(() => forged.close());
    const [id, , node] = token.split(".");
    const unknown = await forged.request(0, "$/session", {
      resume: `${id}.${"A".repeat(22)}.${node}`,
      ack: 0,
    });
    expect(unknown.result).toMatchObject({ resumed: false, reason: "unknown" });
  });

  it("Redis down mid-relay: the client is told to try again, its calls stay pending, and it resumes once Redis is back", async () => {
    const owner = nodes[2]!;
    const { client, events } = await clientOn(2);
    const sink = new RecordingSink();
    await call<string>(client, "subscribe", sink);
    await moveTo(0, events);
    const closes: number[] = [];
    client.on("close", ({ code }) => closes.push(code));

    const waiting = call<number>(client, "wait", 1_500);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await redis.stop();
    // The relaying node can no longer reach the owner: the client hears 1013 at once.
    await until(() => closes.includes(1013), 5_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await redis.start();
    await expect(waiting).resolves.toBe(1_500);
    expect(events.filter((e) => e.startsWith("lost") || e.startsWith("released"))).toEqual([]);
    expect(owner.sessions.releases).toEqual([]);
    // The session is whole: a stream through the relay arrives complete.
    const before = sink.items.length;
    await expect(call<number>(client, "stream", 50, 10)).resolves.toBe(50);
    expect(sink.items.slice(before)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  }, 30_000);
});
