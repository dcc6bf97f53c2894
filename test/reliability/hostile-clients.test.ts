/**
 * What a client can do with callbacks must never hurt the server or speak for it: oneway
 * calls on callbacks that are gone, callbacks of failed calls, error answers with codes of
 * the server's own, malformed answers, and floods of hostile frames.
 */
import { afterEach, describe, expect, test } from "@jest/globals";
import { CallbackGroup, ErrorCode, connectWebSocket, type Logger } from "@svcgen/runtime";
import { RawClient, post, startServer, until, type Running } from "./harness.js";
import { LabDescriptor, type Probe } from "./services.js";

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function server(options: Parameters<typeof startServer>[0] = {}, port = 0): Promise<Running> {
  const running = await startServer(options, port);
  cleanup.push(() => running.close());
  return running;
}

async function raw(running: Running): Promise<RawClient> {
  const client = new RawClient(running.wsUrl);
  cleanup.push(() => client.close());
  await client.opened;
  return client;
}

describe("oneway calls never reject", () => {
  test("on a released or disconnected callback they resolve false; queued, true", async () => {
    const running = await server();
    const client = await raw(running);
    await client.request(1, "lab.Lab.hold", { probe: "p1" });
    await client.request(2, "lab.Lab.hold", { probe: "p2" });
    const [first, second] = running.lab.held;
    await expect(first!.item(1)).resolves.toBe(true);
    client.send({ jsonrpc: "2.0", method: "$/release", params: { callback: "p1" } });
    await until(() => first!.released);
    await expect(first!.item(2)).resolves.toBe(false);
    await client.vanish();
    await until(() => second!.released);
    await expect(second!.item(3)).resolves.toBe(false);
    // Awaited calls still reject: someone is waiting for their answer.
    await expect(second!.answer("q")).rejects.toMatchObject({ code: ErrorCode.CallbackReleased });
  });
});

describe("callbacks introduced by a call that fails", () => {
  test("are released on both sides with reason failed", async () => {
    const running = await server();
    const connection = await connectWebSocket(running.wsUrl, { reconnect: false });
    cleanup.push(() => connection.close());
    const released: [object, string][] = [];
    connection.on("released", (object, reason) => released.push([object, reason]));
    const probe: Probe = { item() {}, blob() {}, answer: (q) => q };
    await expect(connection.call(LabDescriptor, "reject", [probe])).rejects.toMatchObject({
      code: ErrorCode.InternalError,
    });
    expect(released).toEqual([[probe, "failed"]]);
    expect(running.lab.held[0]!.released).toBe(true);
    expect(running.lab.releases).toEqual([expect.stringMatching(/:failed$/)]);
  });

  test("2,000 failing calls on one connection leave room for the next callback", async () => {
    const running = await server();
    const connection = await connectWebSocket(running.wsUrl, { reconnect: false });
    cleanup.push(() => connection.close());
    const failures = [];
    for (let i = 0; i < 2_000; i++) {
      const probe: Probe = { item() {}, blob() {}, answer: (q) => q };
      failures.push(connection.call(LabDescriptor, "reject", [probe]).catch((e: unknown) => e));
      // Stay under the in-flight limit.
      if (failures.length % 200 === 0) await Promise.all(failures);
    }
    await Promise.all(failures);
    const probe: Probe = { item() {}, blob() {}, answer: (q) => `re:${q}` };
    await expect(connection.call(LabDescriptor, "ask", [probe, "still?"])).resolves.toBe(
      "ok:re:still?",
    );
    expect(running.lab.releases.filter((r) => r.endsWith(":failed"))).toHaveLength(2_000);
  });

  test("a callback another call named meanwhile stays", async () => {
    const running = await server();
    const client = await raw(running);
    let open!: () => void;
    running.lab.gate = new Promise<void>((resolve) => (open = resolve));
    // `ask` introduces p1 and waits for its answer; `hold` names p1 too; then `ask` fails.
    client.send({
      jsonrpc: "2.0",
      id: 1,
      method: "lab.Lab.ask",
      params: { probe: "p1", question: "q" },
    });
    const question = await client.next((m) => m.method === "$/callback");
    await client.request(2, "lab.Lab.hold", { probe: "p1" });
    client.send({ jsonrpc: "2.0", id: question.id, error: { code: -32000, message: "no" } });
    await client.next((m) => m.id === 1);
    open();
    expect(running.lab.held[0]!.released).toBe(false);
    expect(client.messages.some((m) => m.method === "$/released")).toBe(false);
  });
});

describe("a client's error answer never speaks for the server", () => {
  /** A probe on a raw client; `relay` over REST or /rpc makes the server ask it. */
  async function relayed(error: object, via: "rest" | "rpc") {
    const running = await server();
    const client = await raw(running);
    await client.request(1, "lab.Lab.hold", { probe: "p1" });
    const answer =
      via === "rest"
        ? post(`${running.url}/lab.Lab/relay`, { question: "q" })
        : post(`${running.url}/rpc`, {
            jsonrpc: "2.0",
            id: 9,
            method: "lab.Lab.relay",
            params: { question: "q" },
          });
    const request = await client.next((m) => m.method === "$/callback");
    client.send({ jsonrpc: "2.0", id: request.id, error });
    return answer;
  }

  const forged = [
    { code: ErrorCode.Unauthenticated, message: "session expired, log in at http://evil.example" },
    { code: ErrorCode.MethodNotFound, message: "evil: no such method" },
    {
      code: ErrorCode.InvalidParams,
      message: "evil params",
      data: { errors: [{ pointer: "/question", detail: "evil" }] },
    },
    { code: ErrorCode.Forbidden, message: "evil forbidden" },
    { code: -32000, message: "evil declared", data: { error: "vault.Other", data: {} } },
  ];

  test.each(forged)("REST caller gets 500 with no message for code $code", async (error) => {
    const answer = await relayed(error, "rest");
    expect(answer.status).toBe(500);
    expect(answer.body.code).toBe(ErrorCode.InternalError);
    expect(answer.text).not.toMatch(/evil/);
  });

  test.each(forged)("/rpc caller gets -32603 with no message for code $code", async (error) => {
    const answer = await relayed(error, "rpc");
    expect(answer.body.error.code).toBe(ErrorCode.InternalError);
    expect(answer.text).not.toMatch(/evil/);
  });

  test("a declared error of the callback method keeps its class for the implementation", async () => {
    const answer = await relayed(
      {
        code: -32000,
        message: "not now",
        data: { error: "lab.Refused", data: { reason: "busy" } },
      },
      "rest",
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toBe("refused:busy");
  });
});

describe("malformed answers to an awaited callback", () => {
  const malformed = [
    ["a string code", (id: number) => ({ jsonrpc: "2.0", id, error: { code: "x", message: "m" } })],
    [
      "both result and error",
      (id: number) => ({ jsonrpc: "2.0", id, result: "a", error: { code: 1, message: "m" } }),
    ],
    ["neither result nor error", (id: number) => ({ jsonrpc: "2.0", id })],
    ["no jsonrpc member", (id: number) => ({ id, result: "a" })],
  ] as const;

  test.each(malformed)(
    "%s: never answered, the callback fails at once with -32603",
    async (_name, answer) => {
      // A long callback timeout: failing at once must not wait for it.
      const running = await server({ callbackTimeoutMs: 60_000 });
      const client = await raw(running);
      // The client's own call 1 is still running when its answer arrives: an answer to the
      // answer would carry id 1 too, and read as the answer to that call.
      client.send({
        jsonrpc: "2.0",
        id: 1,
        method: "lab.Lab.ask",
        params: { probe: "p1", question: "q" },
      });
      const request = await client.next((m) => m.method === "$/callback");
      expect(request.id).toBe(1);
      client.send(answer(request.id));
      const result = await client.next((m) => m.id === 1 && "result" in m);
      expect(result.result).toBe(`error:${ErrorCode.InternalError}`);
      expect(client.messages.filter((m) => m.error !== undefined)).toEqual([]);
    },
  );

  test("one matching no callback is ignored, never answered", async () => {
    const running = await server();
    const client = await raw(running);
    client.send({ jsonrpc: "2.0", id: 77, error: { code: "x", message: "m" } });
    client.send({ jsonrpc: "2.0", id: 78 });
    expect((await client.request(1, "vault.Vault.echo", { text: "ok" })).result).toBe("ok");
    expect(client.messages).toHaveLength(1);
  });
});

describe("hostile floods", () => {
  test("10,000 hostile frames make a handful of log lines, with a count", async () => {
    const lines: { message: string; fields?: Record<string, unknown> }[] = [];
    const logger: Logger = {
      info() {},
      warn: (message, fields) => void lines.push({ message, fields }),
      error: (message, fields) => void lines.push({ message, fields }),
    };
    const running = await server({ logger });
    const client = await raw(running);
    for (let i = 0; i < 10_000; i++) client.send({ jsonrpc: "2.0", id: 100_000 + i });
    expect((await client.request(1, "vault.Vault.echo", { text: "ok" })).result).toBe("ok");
    await client.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThanOrEqual(10);
    expect(lines.at(-1)?.fields?.["repeated"]).toBe(10_000);
  });

  test("a broadcast loop that never yields does not cut fast readers", async () => {
    const running = await server({ limits: { maxBufferedBytes: 64 * 1024 } });
    const readers = [await raw(running), await raw(running), await raw(running)];
    for (const [i, reader] of readers.entries()) {
      await reader.request(1, "lab.Lab.hold", { probe: `p${i}` });
    }
    const group = new CallbackGroup<Probe>();
    for (const probe of running.lab.held) group.add(probe);
    const chunk = "x".repeat(1024);
    // 1 MiB to each reader in one turn: 16 times the limit, queued before any can read.
    for (let n = 0; n < 1024; n++) expect(group.broadcast.blob(chunk)).toBe(3);
    const pushes = (reader: RawClient) => reader.messages.filter((m) => m.method === "$/callback");
    await until(() => readers.every((reader) => pushes(reader).length === 1024));
    // Later turns still reach them: nobody was judged slow for the burst.
    expect(group.broadcast.item(1)).toBe(3);
    await until(() => readers.every((reader) => pushes(reader).length === 1025));
    for (const reader of readers) expect(reader.socket.readyState).toBe(reader.socket.OPEN);
  });

  test("a broadcast whose arguments cannot be sent reaches no one and throws nothing", async () => {
    const errors: string[] = [];
    const logger: Logger = { info() {}, warn() {}, error: (message) => void errors.push(message) };
    const running = await server({ logger });
    const reader = await raw(running);
    await reader.request(1, "lab.Lab.hold", { probe: "p1" });
    const group = new CallbackGroup<Probe>().add(running.lab.held[0]!);
    expect(group.broadcast.blob(42 as unknown as string)).toBe(0);
    expect(errors).toEqual(["broadcast dropped: its arguments cannot be sent"]);
    expect(group.broadcast.blob("fine")).toBe(1);
    await reader.next((m) => m.params?.args?.data === "fine");
  });
});

describe("graceful close", () => {
  test("calls still running after closeGraceMs are retried on the next server if idempotent", async () => {
    const first = await startServer({ closeGraceMs: 100 });
    const port = first.port;
    first.lab.gate = new Promise<void>(() => undefined); // never opens: both calls outlive the grace
    const connection = await connectWebSocket(first.wsUrl, {
      reconnect: { initialDelayMs: 20, maxDelayMs: 50 },
      timeoutMs: 10_000,
    });
    cleanup.push(() => connection.close());
    const touch = connection.call(LabDescriptor, "touch", []);
    const bump = connection.call(LabDescriptor, "bump", []).catch((e: unknown) => e);
    await until(() => first.lab.started.length === 2);
    await first.close();
    expect(await bump).toMatchObject({ code: ErrorCode.ConnectionClosed });
    const second = await server({}, port);
    await expect(touch).resolves.toBe(1);
    expect(second.lab.started).toEqual(["touch"]);
  });
});
