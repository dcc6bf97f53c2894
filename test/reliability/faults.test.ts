/**
 * Faults: clients vanishing without a close frame, peers that stop answering pings or stop
 * reading, the server closing with calls in flight, and the server restarting under its
 * clients. In each case the server releases what the client held exactly once with
 * "disconnected", other clients are unaffected, and nothing hangs.
 */
import { afterEach, describe, expect, test } from "@jest/globals";
import type { Duplex } from "node:stream";
import { ErrorCode, connectWebSocket, type WebSocketConnection } from "@svcgen/runtime";
import { RawClient, startServer, until, type Running } from "./harness.js";
import { LabDescriptor, type Probe } from "./services.js";

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function serve(options: Parameters<typeof startServer>[0] = {}, port = 0): Promise<Running> {
  const running = await startServer(options, port);
  cleanup.push(() => running.close());
  return running;
}

async function raw(running: Running, options = {}): Promise<RawClient> {
  const client = new RawClient(running.wsUrl, options);
  cleanup.push(() => client.close());
  await client.opened;
  return client;
}

const call = (client: RawClient, id: number | string, method: string, params: unknown) =>
  client.send({ jsonrpc: "2.0", id, method: `lab.Lab.${method}`, params });

/** Release records of one connection's callbacks, without the connection id. */
function releasesOf(running: Running, callbackIds: string[]): string[] {
  return running.lab.releases
    .map((entry) => entry.slice(entry.indexOf("/") + 1))
    .filter((entry) => callbackIds.includes(entry.slice(0, entry.indexOf(":"))));
}

describe("a client that vanishes (no close frame)", () => {
  test("mid-call: its calls are aborted, its callbacks released once, others unaffected", async () => {
    const running = await serve();
    const doomed = await raw(running);
    const bystander = await raw(running);
    expect((await bystander.request(1, "lab.Lab.hold", { probe: "keep" })).result).toBeNull();
    expect((await doomed.request(1, "lab.Lab.hold", { probe: "a" })).result).toBeNull();
    expect((await doomed.request(2, "lab.Lab.hold", { probe: "b" })).result).toBeNull();
    call(doomed, 3, "wait", { ms: 20_000 });
    await until(() => running.lab.started.includes("wait"));

    await doomed.vanish();
    await until(() => releasesOf(running, ["a", "b"]).length === 2);
    expect(releasesOf(running, ["a", "b"]).sort()).toEqual(["a:disconnected", "b:disconnected"]);
    await until(() => running.lab.aborted.includes(20_000));

    expect((await bystander.request(2, "lab.Lab.echo", { n: 7 })).result).toBe(7);
    expect(releasesOf(running, ["keep"])).toEqual([]);
    await bystander.close();
    await until(() => releasesOf(running, ["keep"]).length === 1);
    // Exactly once each, also after everything closed.
    expect(releasesOf(running, ["a", "b", "keep"])).toHaveLength(3);
    await until(async () => (await running.connections()) === 0);
  });

  test("releases racing a cut connection still happen exactly once per callback", async () => {
    const running = await serve();
    const doomed = await raw(running);
    const ids = Array.from({ length: 20 }, (_, i) => `r${i}`);
    for (const [i, probe] of ids.entries()) call(doomed, i, "hold", { probe });
    await doomed.next((m) => m.id === ids.length - 1);
    for (const probe of ids.slice(0, 10)) {
      doomed.send({ jsonrpc: "2.0", method: "$/release", params: { callback: probe } });
    }
    await doomed.vanish();
    await until(() => releasesOf(running, ids).length === ids.length);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const seen = releasesOf(running, ids);
    expect(seen).toHaveLength(ids.length);
    expect(new Set(seen.map((entry) => entry.split(":")[0])).size).toBe(ids.length);
    for (const entry of seen) expect(entry).toMatch(/:(released|disconnected)$/);
  });

  test("mid-callback: the awaited callback fails with -32007 and is released once", async () => {
    const running = await serve();
    const doomed = await raw(running);
    const good = await connectWebSocket(running.wsUrl, { reconnect: false });
    cleanup.push(() => good.close());
    const probe: Probe = { item() {}, blob() {}, answer: (q) => `re:${q}` };

    call(doomed, 1, "ask", { probe: "asked", question: "are you there?" });
    await doomed.next((m) => m.method === "$/callback");
    const pendingGood = good.call(LabDescriptor, "ask", [probe, "hello"]);
    await doomed.vanish();

    expect(await pendingGood).toBe("ok:re:hello");
    await until(() => releasesOf(running, ["asked"]).length === 1);
    expect(releasesOf(running, ["asked"])).toEqual(["asked:disconnected"]);
    await until(() => running.lab.outcomes.length === 2);
    expect(running.lab.outcomes).toContain(`error:${ErrorCode.ConnectionClosed}`);
    expect(await good.call(LabDescriptor, "echo", [1])).toBe(1);
  });
});

describe("a client that does not answer an awaited callback", () => {
  test("the callback rejects with -32003 after callbackTimeoutMs; a late answer is ignored", async () => {
    const running = await serve({ callbackTimeoutMs: 100 });
    const client = await raw(running);
    call(client, 1, "ask", { probe: "silent", question: "anyone?" });
    const request = await client.next((m) => m.method === "$/callback");
    const answer = await client.next((m) => m.id === 1 && "result" in m);
    expect(answer.result).toBe(`error:${ErrorCode.TimedOut}`);
    client.send({ jsonrpc: "2.0", id: request.id, result: "too late" });
    expect((await client.request(2, "lab.Lab.echo", { n: 2 })).result).toBe(2);
    expect(running.lab.outcomes).toEqual([`error:${ErrorCode.TimedOut}`]);
  });
});

describe("liveness and back-pressure", () => {
  test("a peer that stops answering pings is terminated and its callbacks released", async () => {
    const running = await serve({ heartbeatMs: 40 });
    const mute = await raw(running, { autoPong: false });
    const alive = await raw(running);
    expect((await mute.request(1, "lab.Lab.hold", { probe: "mute" })).result).toBeNull();
    expect((await alive.request(1, "lab.Lab.hold", { probe: "alive" })).result).toBeNull();
    await mute.closed;
    await until(() => releasesOf(running, ["mute"]).length === 1);
    expect(releasesOf(running, ["mute"])).toEqual(["mute:disconnected"]);
    // The one that answers pings outlives many heartbeats.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await alive.request(2, "lab.Lab.echo", { n: 2 })).result).toBe(2);
    expect(releasesOf(running, ["alive"])).toEqual([]);
  });

  test("a client that stops reading is cut off (1008) with the server's memory bounded", async () => {
    const limit = 256 * 1024;
    const running = await serve({ limits: { maxBufferedBytes: limit }, closeGraceMs: 200 });
    const reader = await raw(running);
    const bystander = await raw(running);
    const heapBefore = process.memoryUsage().heapUsed;
    // Stop reading from the TCP socket: the server's unsent data piles up.
    (reader.socket as unknown as { _socket: Duplex })._socket.pause();
    call(reader, 1, "flood", { probe: "slow", size: 32 * 1024 });
    await until(() => releasesOf(running, ["slow"]).length === 1);
    expect(releasesOf(running, ["slow"])).toEqual(["slow:disconnected"]);
    // Far less than the 1,000,000 x 32 KiB the flood would have queued without the limit.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
    (reader.socket as unknown as { _socket: Duplex })._socket.resume();
    expect([1006, 1008]).toContain((await reader.closed).code);
    expect((await bystander.request(1, "lab.Lab.echo", { n: 1 })).result).toBe(1);
  });
});

describe("server shutdown and restart", () => {
  test("close() with HTTP calls in flight: short ones finish, long ones are aborted", async () => {
    const running = await startServer({ closeGraceMs: 300 });
    const wait = (ms: number) =>
      fetch(`${running.url}/lab.Lab/wait`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ms }),
      }).then((r) => r.json());
    const short = wait(50);
    const long = wait(60_000);
    await until(() => running.lab.started.length === 2);
    await running.close();
    expect(await short).toBe("done");
    const answer = await long;
    expect(answer === "aborted" || answer.code === ErrorCode.Cancelled).toBe(true);
    expect(running.lab.aborted).toEqual([60_000]);
  });

  test("close() with WebSocket calls in flight: callbacks released, connection closed 1001", async () => {
    const running = await startServer({ closeGraceMs: 300 });
    const client = new RawClient(running.wsUrl);
    await client.opened;
    expect((await client.request(1, "lab.Lab.hold", { probe: "h" })).result).toBeNull();
    call(client, 2, "wait", { ms: 60_000 });
    await until(() => running.lab.started.length === 1);
    await running.close();
    expect((await client.closed).code).toBe(1001);
    expect(releasesOf(running, ["h"])).toEqual(["h:disconnected"]);
    expect(running.lab.aborted).toEqual([60_000]);
  });

  // runtime.md, "Shutting down": close() lets calls in flight finish for up to closeGraceMs,
  // then aborts them (they answer -32002), and only then closes the WebSocket connections.
  test("close() answers calls that finish within the grace period and leaves the rest unanswered", async () => {
    const running = await startServer({ closeGraceMs: 300 });
    const client = new RawClient(running.wsUrl);
    await client.opened;
    call(client, 1, "wait", { ms: 50 });
    call(client, 2, "wait", { ms: 60_000 });
    await until(() => running.lab.started.length === 2);
    await running.close();
    expect(await client.closed).toEqual({ code: 1001, reason: "server closing" });
    expect(client.messages.find((m) => m.id === 1)?.result).toBe("done");
    // Not a final -32002: lost with the connection, so a client may send it again elsewhere.
    expect(client.messages.find((m) => m.id === 2)).toBeUndefined();
    expect(running.lab.aborted).toEqual([60_000]);
  });

  test("restart under running clients: they reconnect, idempotent calls succeed, others -32007", async () => {
    const first = await startServer();
    const port = first.port;
    const upgraded = new Set<Duplex>();
    first.http.on("upgrade", (_req, socket: Duplex) => upgraded.add(socket));
    let release!: () => void;
    first.lab.gate = new Promise<void>((resolve) => (release = resolve));

    const clients: WebSocketConnection[] = [];
    for (let i = 0; i < 3; i++) {
      const client = await connectWebSocket(first.wsUrl, {
        reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
        timeoutMs: 10_000,
      });
      clients.push(client);
      cleanup.push(() => client.close());
    }
    const reconnected = clients.map(
      (client) => new Promise<void>((resolve) => client.on("reconnected", () => resolve())),
    );
    const touches = clients.map((c) => c.call(LabDescriptor, "touch", []));
    const bumps = clients.map((c) => c.call(LabDescriptor, "bump", []).catch((e: unknown) => e));
    await until(() => first.lab.started.length === 6);

    // A crash: every socket cut at once, then the process comes back on the same port.
    for (const socket of upgraded) socket.destroy();
    release();
    await first.close();
    // Calls made while the server is away wait for the new connection.
    await until(() => clients.every((client) => client.state === "reconnecting"));
    const during = clients.map((c, i) => c.call(LabDescriptor, "echo", [100 + i]));
    const second = await serve({}, port);

    await Promise.all(reconnected);
    for (const result of await Promise.all(touches)) expect(typeof result).toBe("number");
    for (const failure of await Promise.all(bumps)) {
      expect(failure).toMatchObject({ code: ErrorCode.ConnectionClosed });
    }
    expect(second.lab.started.filter((m) => m === "touch")).toHaveLength(3);
    expect(second.lab.started.filter((m) => m === "bump")).toHaveLength(0);
    expect(await Promise.all(during)).toEqual([100, 101, 102]);
    for (const [i, client] of clients.entries()) {
      expect(await client.call(LabDescriptor, "echo", [i])).toBe(i);
    }
  });
});
