/** connectWebSocket: timeouts, cancellation, contract check, reconnect, many clients. */
import { afterEach, describe, expect, test } from "@jest/globals";
import {
  ContractMismatchError,
  RpcError,
  connectWebSocket,
  defineService,
  type WebSocketConnection,
} from "@svcgen/runtime";
import { startServer, until, type Running } from "./harness.js";
import { ChatRoomDescriptor, LabDescriptor, SessionDescriptor, type Probe } from "./services.js";
import { TcpProxy } from "./tcp-proxy.js";

let running: Running | undefined;
let proxy: TcpProxy | undefined;
const connections: WebSocketConnection[] = [];

afterEach(async () => {
  await Promise.all(connections.splice(0).map((c) => c.close()));
  await proxy?.close();
  await running?.close();
  running = proxy = undefined;
});

async function connect(
  options: Parameters<typeof connectWebSocket>[1] = {},
  url?: string,
): Promise<WebSocketConnection> {
  running ??= await startServer();
  const connection = await connectWebSocket(url ?? running.wsUrl, { reconnect: false, ...options });
  connections.push(connection);
  return connection;
}

const probe: Probe = { item() {}, blob() {}, answer: (q) => q.toUpperCase() };

describe("connectWebSocket", () => {
  test("a call over its timeout rejects with -32003 and is cancelled on the server", async () => {
    const connection = await connect({ timeoutMs: 100 });
    const failure = await connection
      .call<string>(LabDescriptor, "wait", [20_000])
      .catch((e: RpcError) => e);
    expect(failure).toBeInstanceOf(RpcError);
    expect((failure as RpcError).code).toBe(-32003);
    await until(() => running!.lab.cancelled.length === 1);
  });

  test("each call keeps its own deadline: a short one behind a long one still times out", async () => {
    const connection = await connect({ timeoutMs: 20_000 });
    const long = connection.call<string>(LabDescriptor, "wait", [300]);
    const short = connection
      .call<string>(LabDescriptor, "wait", [20_000], { timeoutMs: 50 })
      .catch((e: RpcError) => e);
    expect(await short).toMatchObject({ code: -32003 });
    // The long call was not touched by the other's timeout.
    expect(await long).toBe("done");
    await until(() => running!.lab.cancelled.length === 1);
  });

  test("aborting a call rejects it with -32002 and cancels it on the server", async () => {
    const connection = await connect();
    const controller = new AbortController();
    const call = connection.call(LabDescriptor, "wait", [20_000], { signal: controller.signal });
    await until(() => true);
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: -32002 });
    await until(() => running!.lab.cancelled.length === 1);
  });

  test("the contract check names the services whose hash differs", async () => {
    running = await startServer();
    const stale = defineService({
      name: "chat.ChatRoom",
      contractHash: "0".repeat(64),
      methods: [],
    });
    const missing = defineService({ name: "x.Missing", contractHash: "1".repeat(64), methods: [] });
    const failure = await connectWebSocket(running.wsUrl, {
      checkContract: [stale, missing, LabDescriptor],
    }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ContractMismatchError);
    expect((failure as ContractMismatchError).mismatches.map((m) => m.service)).toEqual([
      "chat.ChatRoom",
      "x.Missing",
    ]);
    const fine = await connect({ checkContract: [ChatRoomDescriptor, LabDescriptor] });
    expect(fine.state).toBe("open");
  });

  test("without a session, after a lost connection: reconnect, retry idempotent calls, fail others with -32007", async () => {
    running = await startServer();
    proxy = new TcpProxy(Number(new URL(running.wsUrl).port));
    const port = await proxy.listen();
    // With a session (the default) nothing fails: test/session covers that.
    const connection = await connect(
      { reconnect: { initialDelayMs: 10, maxDelayMs: 50 }, session: false },
      `ws://127.0.0.1:${port}/ws`,
    );
    const events: string[] = [];
    for (const event of ["close", "reconnecting", "reconnected", "released"] as const) {
      connection.on(event, () => events.push(event));
    }
    const lab = running.lab;
    await connection.call(LabDescriptor, "hold", [probe]);

    let openGate!: () => void;
    lab.gate = new Promise((resolve) => (openGate = resolve));
    const bump = connection.call(LabDescriptor, "bump", []).catch((e: unknown) => e);
    const touch = connection.call(LabDescriptor, "touch", []);
    await until(() => lab.arrivals === 2);

    proxy.cut();
    expect(await bump).toMatchObject({ code: -32007 });
    await until(() => events.includes("reconnected"));
    await until(() => lab.arrivals === 3); // touch arrived again on the new socket
    openGate();
    expect(await touch).toBe(3);
    expect(events.slice(0, 4)).toEqual(["released", "close", "reconnecting", "reconnected"]);
    expect(connection.state).toBe("open");
    // The old callback was released with the old socket; passing it again registers it anew.
    await until(() => lab.releases.includes("disconnected"));
    await connection.call(LabDescriptor, "hold", [probe]);
    expect(lab.held).toHaveLength(2);
    expect(lab.held[1]).not.toBe(lab.held[0]);
    expect(await connection.call(LabDescriptor, "ask", [probe, "again"])).toBe("ok:AGAIN");
  });

  test("without reconnect, a lost connection closes it for good", async () => {
    const connection = await connect();
    await connection.close();
    expect(connection.state).toBe("closed");
    await expect(connection.call(LabDescriptor, "echo", [1])).rejects.toMatchObject({
      code: -32007,
    });
  });

  test("a refused connect rejects; upgrade headers carry the credentials", async () => {
    running = await startServer({
      authenticate: (req) => (req.headers.authorization === "Bearer ok" ? "ann" : null),
    });
    await expect(connectWebSocket(running.wsUrl, { reconnect: false })).rejects.toMatchObject({
      code: -32007,
      message: expect.stringContaining("401"),
    });
    const connection = await connect({ headers: { authorization: "Bearer ok" } });
    expect(await connection.call(LabDescriptor, "echo", [2])).toBe(2);
  });

  test("200 clients at once, each with its own calls and callbacks", async () => {
    running = await startServer();
    const clients = await Promise.all(
      Array.from({ length: 200 }, () => connect({}, running!.wsUrl)),
    );
    const answers = await Promise.all(
      clients.map(async (client, i) => [
        await client.call(LabDescriptor, "echo", [i]),
        await client.call(LabDescriptor, "ask", [probe, `q${i}`]),
      ]),
    );
    expect(answers).toEqual(clients.map((_, i) => [i, `ok:Q${i}`]));
  });

  test("a perConnection service has one instance per connection", async () => {
    const [a, b] = [await connect(), await connect()];
    const count = (c: WebSocketConnection) => c.call<number>(SessionDescriptor, "count", []);
    expect([await count(a), await count(a), await count(b), await count(a)]).toEqual([1, 2, 1, 3]);
  });

  test("reconnecting gives up after maxAttempts; waiting calls then fail with -32007", async () => {
    running = await startServer();
    proxy = new TcpProxy(Number(new URL(running.wsUrl).port));
    const port = await proxy.listen();
    const connection = await connect(
      { reconnect: { initialDelayMs: 5, maxDelayMs: 10, maxAttempts: 2 } },
      `ws://127.0.0.1:${port}/ws`,
    );
    const attempts: number[] = [];
    connection.on("reconnecting", ({ attempt }) => attempts.push(attempt));
    await proxy.close(); // the relay is gone: every attempt is refused
    proxy = undefined;
    await until(() => connection.state === "closed");
    expect(attempts).toEqual([1, 2]);
    await expect(connection.call(LabDescriptor, "touch", [])).rejects.toMatchObject({
      code: -32007,
    });
  });

  test("the endpoint lives under the server's base path", async () => {
    running = await startServer({ base: "/api" });
    expect(new URL(running.wsUrl).pathname).toBe("/api/ws");
    const connection = await connect();
    expect(await connection.call(LabDescriptor, "echo", [5])).toBe(5);
  });
});
