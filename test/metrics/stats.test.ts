/**
 * server.stats(): per-method counts, errors by code and latency of calls over REST, `/rpc`
 * and WebSocket, callbacks per method, and the gauges (connections, sessions, callbacks,
 * groups, calls in flight, bytes) read from a real server with real clients.
 */
import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import {
  ErrorCode,
  RpcError,
  RpcServer,
  connectHttp,
  connectWebSocket,
  type Connection,
  type MethodStats,
  type ServerStats,
} from "@svcgen/runtime";
import { FaultProxy } from "../support/fault-proxy.js";
import { post, until } from "../support/raw-clients.js";
import { Desk, DeskDescriptor, WatcherDescriptor, type Watcher } from "./services.js";

let server: RpcServer;
let desk: Desk;
let url: string;
const open: Connection[] = [];

beforeEach(async () => {
  server = new RpcServer({ logger: false });
  desk = new Desk(server);
  server.register(desk);
  ({ url } = await server.listen());
});

afterEach(async () => {
  desk.release();
  await Promise.allSettled(open.splice(0).map((connection) => connection.close()));
  await server.close();
});

async function ws(options: Parameters<typeof connectWebSocket>[1] = {}): Promise<Connection> {
  const connection = await connectWebSocket(`${url.replace(/^http/, "ws")}/ws`, {
    reconnect: false,
    ...options,
  });
  open.push(connection);
  return connection;
}

function method(stats: ServerStats, name: string): MethodStats {
  const found = stats.methods.find((m) => m.name === name);
  if (found === undefined) throw new Error(`no figures for ${name}`);
  return found;
}

const watcher = (answer: boolean | Error = true): Watcher => ({
  tick() {},
  confirm() {
    if (answer instanceof Error) throw answer;
    return answer;
  },
});

describe("per-method figures", () => {
  test("every registered method and callback method has figures before any call", () => {
    const names = server.stats().methods.map((m) => `${m.kind} ${m.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        "call ops.Desk.add",
        "call ops.Desk.buy",
        "call ops.Desk.ask",
        "callback ops.Watcher.tick",
        "callback ops.Watcher.confirm",
      ]),
    );
    const add = method(server.stats(), "ops.Desk.add");
    expect(add).toMatchObject({ calls: 0, inFlight: 0, errors: {} });
    expect(add.latency.count).toBe(0);
  });

  test("calls over REST, /rpc and WebSocket are counted once each, with latency", async () => {
    const http = connectHttp(url);
    open.push(http);
    await http.call(DeskDescriptor, "add", [1, 2]);
    const rpc = await post(`${url}/rpc`, {
      jsonrpc: "2.0",
      id: 1,
      method: "ops.Desk.add",
      params: { a: 2, b: 3 },
    });
    expect(rpc.body.result).toBe(5);
    const socket = await ws();
    await socket.call(DeskDescriptor, "add", [3, 4]);

    const add = method(server.stats(), "ops.Desk.add");
    expect(add.calls).toBe(3);
    expect(add.errors).toEqual({});
    expect(add.inFlight).toBe(0);
    const { bounds, counts, count, sumSeconds } = add.latency;
    expect(count).toBe(3);
    expect(sumSeconds).toBeGreaterThan(0);
    expect(counts).toHaveLength(bounds.length);
    // Cumulative buckets never decrease and never exceed the count.
    for (let i = 1; i < counts.length; i++)
      expect(counts[i]).toBeGreaterThanOrEqual(counts[i - 1]!);
    expect(counts[counts.length - 1]).toBeLessThanOrEqual(count);
  });

  test("failures are counted by code and kept among the recent errors, newest first", async () => {
    const http = connectHttp(url);
    open.push(http);
    await expect(http.call(DeskDescriptor, "buy", ["tea"])).rejects.toMatchObject({ code: -32000 });
    await expect(http.call(DeskDescriptor, "crash", [])).rejects.toMatchObject({ code: -32603 });
    const invalid = await post(`${url}/ops.Desk/add`, { a: "one", b: 2 });
    expect(invalid.status).toBe(400);

    const stats = server.stats();
    // A declared error travels as -32000 (its name and fields in data).
    expect(method(stats, "ops.Desk.buy")).toMatchObject({ calls: 1, errors: { "-32000": 1 } });
    expect(method(stats, "ops.Desk.crash")).toMatchObject({ calls: 1, errors: { "-32603": 1 } });
    expect(method(stats, "ops.Desk.add")).toMatchObject({ calls: 1, errors: { "-32602": 1 } });

    const [newest, middle, oldest] = stats.recentErrors;
    expect(newest).toMatchObject({ method: "ops.Desk.add", code: -32602 });
    expect(middle).toMatchObject({
      method: "ops.Desk.crash",
      code: -32603,
      message: "Internal error",
    });
    expect(middle!.incident).toMatch(/^[0-9a-f-]{36}$/);
    // No exception text leaves the server, not even into the stats.
    expect(JSON.stringify(stats.recentErrors)).not.toContain("a bug in the implementation");
    expect(oldest).toMatchObject({ method: "ops.Desk.buy", message: "tea is sold out" });
    expect(oldest!.at).toBeInstanceOf(Date);
  });

  test("a call an interceptor refuses is counted with the refusal's code", async () => {
    await server.close();
    server = new RpcServer({
      logger: false,
      interceptors: [
        (next) => (call) =>
          call.method.name === "buy"
            ? Promise.reject(new RpcError(ErrorCode.Forbidden, "no shopping today"))
            : next(call),
      ],
    });
    server.register(new Desk(server));
    ({ url } = await server.listen());
    const http = connectHttp(url);
    open.push(http);
    await expect(http.call(DeskDescriptor, "buy", ["tea"])).rejects.toMatchObject({
      code: ErrorCode.Forbidden,
    });
    await http.call(DeskDescriptor, "add", [1, 1]);
    const stats = server.stats();
    expect(method(stats, "ops.Desk.buy")).toMatchObject({ calls: 1, errors: { "-32005": 1 } });
    expect(method(stats, "ops.Desk.add")).toMatchObject({ calls: 1, errors: {} });
    expect(stats.recentErrors[0]).toMatchObject({ message: "no shopping today" });
  });

  test("callbacks are counted per callback method: oneway sends, awaited answers and failures", async () => {
    const socket = await ws();
    await socket.call(DeskDescriptor, "watch", [watcher(), 3, "room"]);
    await expect(socket.call(DeskDescriptor, "ask", [watcher(true), "sure?"])).resolves.toBe(
      "true",
    );
    await expect(
      socket.call(DeskDescriptor, "ask", [watcher(new Error("no")), "sure?"]),
    ).resolves.toMatch(/^failed:/);

    const stats = server.stats();
    expect(method(stats, "ops.Watcher.tick")).toMatchObject({
      kind: "callback",
      calls: 3,
      errors: {},
    });
    const confirm = method(stats, "ops.Watcher.confirm");
    expect(confirm.calls).toBe(2);
    expect(Object.values(confirm.errors)).toEqual([1]);
    expect(confirm.latency.count).toBe(2);
    expect(stats.recentErrors[0]).toMatchObject({ method: "ops.Watcher.confirm" });
  });

  test("a group broadcast counts one callback per member it reached", async () => {
    const [a, b] = await Promise.all([ws(), ws()]);
    await a.call(DeskDescriptor, "watch", [watcher(), 0, "room"]);
    await b.call(DeskDescriptor, "watch", [watcher(), 0, "room"]);
    expect(server.group("room", WatcherDescriptor).broadcast.tick(7)).toBe(2);
    expect(method(server.stats(), "ops.Watcher.tick").calls).toBe(2);
  });
});

describe("gauges", () => {
  test("a quiet server reads all zeros", () => {
    const stats = server.stats();
    expect(stats.node).toBe(server.nodeId);
    expect(stats.uptimeSeconds).toBeGreaterThanOrEqual(0);
    expect(stats.connections).toEqual({ webSocket: 0, tcp: 0 });
    expect(stats.sessions).toEqual({ plain: 0, attached: 0, detached: 0 });
    expect(stats.callbacks).toEqual({ live: 0, awaitingAnswer: 0, awaitingRemoteAnswer: 0 });
    expect(stats.callsInFlight).toEqual({ http: 0, webSocket: 0 });
    expect(stats.bytes).toEqual({ buffered: 0, unacked: 0, detached: 0 });
    expect(stats.groups).toEqual([]);
  });

  test("connections, sessions, callbacks and groups follow the clients", async () => {
    const plain = await ws({ session: false });
    const sequenced = await ws({ reconnect: { initialDelayMs: 10 } });
    await plain.call(DeskDescriptor, "watch", [watcher(), 1, "room"]);
    await sequenced.call(DeskDescriptor, "watch", [watcher(), 1, "room"]);
    await sequenced.call(DeskDescriptor, "watch", [watcher(), 1, "lobby"]);

    const stats = server.stats();
    expect(stats.connections.webSocket).toBe(2);
    expect(stats.connections.tcp).toBeGreaterThanOrEqual(2);
    expect(stats.sessions).toEqual({ plain: 1, attached: 1, detached: 0 });
    expect(stats.callbacks.live).toBe(3);
    expect(stats.groups).toEqual(
      expect.arrayContaining([
        { name: "room", type: "ops.Watcher", members: 2 },
        { name: "lobby", type: "ops.Watcher", members: 1 },
      ]),
    );

    await plain.close();
    await until(() => server.stats().connections.webSocket === 1);
    const after = server.stats();
    expect(after.sessions.plain).toBe(0);
    expect(after.callbacks.live).toBe(2);
    expect(after.groups.find((g) => g.name === "room")?.members).toBe(1);
  });

  test("a session whose client is cut off counts as detached, with the bytes it keeps", async () => {
    const relay = new FaultProxy(Number(new URL(url).port));
    await relay.listen();
    try {
      const client = await connectWebSocket(`ws://127.0.0.1:${relay.port}/ws`, {
        reconnect: { initialDelayMs: 10, maxDelayMs: 50 },
      });
      open.push(client);
      await client.call(DeskDescriptor, "watch", [watcher(), 0, "room"]);
      expect(server.stats().sessions).toEqual({ plain: 0, attached: 1, detached: 0 });
      relay.setOffline(true); // a cut, and no way back for now
      await until(() => server.stats().sessions.detached === 1);
      const detached = server.stats();
      expect(detached.sessions.attached).toBe(0);
      expect(detached.connections.webSocket).toBe(0);
      // Its callback is kept for the client, and what the server sends it is kept too.
      expect(detached.callbacks.live).toBe(1);
      expect(server.group("room", WatcherDescriptor).broadcast.tick(1)).toBe(1);
      expect(server.stats().bytes.detached).toBeGreaterThan(detached.bytes.detached);
      relay.setOffline(false);
      await until(() => server.stats().sessions.attached === 1);
      expect(server.stats().bytes.detached).toBe(0);
    } finally {
      await relay.close();
    }
  });

  test("calls in flight by transport and per method", async () => {
    const http = connectHttp(url);
    open.push(http);
    const socket = await ws();
    const held = [http.call(DeskDescriptor, "hold", []), socket.call(DeskDescriptor, "hold", [])];
    await until(() => desk.holding === 2);

    const stats = server.stats();
    expect(stats.callsInFlight).toEqual({ http: 1, webSocket: 1 });
    expect(method(stats, "ops.Desk.hold").inFlight).toBe(2);

    desk.release();
    await Promise.all(held);
    const done = server.stats();
    expect(done.callsInFlight).toEqual({ http: 0, webSocket: 0 });
    expect(method(done, "ops.Desk.hold")).toMatchObject({ inFlight: 0, calls: 2 });
  });

  test("an awaited callback waiting for its answer is counted until it comes", async () => {
    let answer: ((value: boolean) => void) | undefined;
    const socket = await ws();
    const slow: Watcher = {
      tick() {},
      confirm: () => new Promise<boolean>((resolve) => (answer = resolve)),
    };
    const asked = socket.call(DeskDescriptor, "ask", [slow, "well?"]);
    // The client holds the question (so it can answer) and the server still waits.
    await until(() => answer !== undefined);
    expect(server.stats().callbacks.awaitingAnswer).toBe(1);
    expect(method(server.stats(), "ops.Watcher.confirm").inFlight).toBe(1);
    answer!(false);
    await expect(asked).resolves.toBe("false");
    expect(server.stats().callbacks.awaitingAnswer).toBe(0);
  });
});
