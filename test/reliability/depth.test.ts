/**
 * One nesting limit (`limits.maxDepth`, default 100) on every value that crosses the wire:
 * REST and `/rpc` bodies, WebSocket frames, a client's answers to awaited callbacks, and
 * every answer the server encodes. Depths far past the stack's limit are refused the same
 * way as depths just past the limit, and the server keeps serving everyone else.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { ErrorCode } from "@svcgen/runtime";
import { RawClient, post, startServer, type Running } from "./harness.js";

const depths = [101, 1_000, 2_500, 10_000, 100_000, 1_000_000];
/** `depth` arrays nested in each other: 2 × depth characters. */
const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

const logged: string[] = [];
let running: Running;

beforeAll(async () => {
  // Room for 1,000,000 levels (2 MB of text) inside the body and frame limits.
  running = await startServer({
    limits: { maxBodyBytes: 4 << 20, maxFrameBytes: 4 << 20 },
    logger: {
      info() {},
      warn: (message) => void logged.push(message),
      error: (message) => void logged.push(message),
    },
  });
});

afterAll(async () => {
  await running.close();
});

/** Another client on each transport is served as before. */
async function stillServing(): Promise<void> {
  expect((await post(`${running.url}/vault.Vault/echo`, { text: "hi" })).body).toBe("hi");
  const client = new RawClient(running.wsUrl);
  await client.opened;
  expect((await client.request(1, "vault.Vault.echo", { text: "ws" })).result).toBe("ws");
  await client.close();
}

describe("input within the limit", () => {
  test("is served on every transport (REST body 100 deep, a frame 100 deep)", async () => {
    // REST: the body object is level 1, so the value may nest 99 levels.
    const rest = await post(`${running.url}/vault.Vault/mirror`, `{"value":${nested(99)}}`);
    expect(rest.status).toBe(200);
    expect(rest.text).toBe(nested(99));
    // JSON-RPC: message and params take two levels.
    const rpc = `{"jsonrpc":"2.0","id":1,"method":"vault.Vault.mirror","params":{"value":${nested(98)}}}`;
    expect((await post(`${running.url}/rpc`, rpc)).text).toBe(
      `{"jsonrpc":"2.0","id":1,"result":${nested(98)}}`,
    );
    const client = new RawClient(running.wsUrl);
    await client.opened;
    client.send(rpc);
    await client.next((m) => m.id === 1);
    expect(client.frames[0]).toBe(`{"jsonrpc":"2.0","id":1,"result":${nested(98)}}`);
    await client.close();
  });

  test("brackets inside strings do not count", async () => {
    const text = "[".repeat(5000) + "{" + "\\".repeat(3) + '"';
    const answer = await post(`${running.url}/vault.Vault/mirror`, { value: { text } });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ text });
  });
});

describe("input nested too deeply is refused before anything recursive runs", () => {
  test.each(depths)("REST: %i levels → 400 -32602 nested too deeply", async (depth) => {
    const answer = await post(`${running.url}/vault.Vault/mirror`, `{"value":${nested(depth)}}`);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: ErrorCode.InvalidParams, status: 400 });
    expect(answer.body.detail).toMatch(/nested too deeply/);
    await stillServing();
  });

  test.each(depths)("/rpc: %i levels → -32602 with the request's id", async (depth) => {
    const body =
      `[{"jsonrpc":"2.0","id":"deep","method":"vault.Vault.mirror","params":{"value":${nested(depth)}}},` +
      `{"jsonrpc":"2.0","id":7,"method":"vault.Vault.echo","params":{"text":"x"}}]`;
    const answer = await post(`${running.url}/rpc`, body);
    expect(answer.status).toBe(200);
    // The batch is refused as a whole: nothing of it runs, each request hears why.
    expect(answer.body).toEqual([
      {
        jsonrpc: "2.0",
        id: "deep",
        error: { code: ErrorCode.InvalidParams, message: "Invalid params: nested too deeply" },
      },
      {
        jsonrpc: "2.0",
        id: 7,
        error: { code: ErrorCode.InvalidParams, message: "Invalid params: nested too deeply" },
      },
    ]);
    await stillServing();
  });

  test.each(depths)(
    "/ws: %i levels → -32602 with the request's id, connection open",
    async (depth) => {
      const client = new RawClient(running.wsUrl);
      await client.opened;
      client.send(
        `{"jsonrpc":"2.0","id":5,"method":"vault.Vault.mirror","params":{"value":${nested(depth)}}}`,
      );
      expect(await client.next((m) => m.id === 5)).toEqual({
        jsonrpc: "2.0",
        id: 5,
        error: { code: ErrorCode.InvalidParams, message: "Invalid params: nested too deeply" },
      });
      expect((await client.request(6, "vault.Vault.echo", { text: "same socket" })).result).toBe(
        "same socket",
      );
      await client.close();
      await stillServing();
    },
  );

  test("/ws: a deep notification is dropped, and logged once per kind, not per frame", async () => {
    const client = new RawClient(running.wsUrl);
    await client.opened;
    const before = logged.length;
    for (let i = 0; i < 50; i++) {
      client.send(
        `{"jsonrpc":"2.0","method":"vault.Vault.mirror","params":{"value":${nested(200)}}}`,
      );
    }
    expect((await client.request(1, "vault.Vault.echo", { text: "after" })).result).toBe("after");
    expect(client.messages).toHaveLength(1);
    const lines = logged.slice(before).filter((line) => /nested too deeply/.test(line));
    // The first five in full, then at 10 and 50 (when the connection closes) with a count.
    await client.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const all = logged.slice(before).filter((line) => /nested too deeply/.test(line));
    expect(lines.length).toBeLessThanOrEqual(6);
    expect(all.length).toBeLessThanOrEqual(7);
  });
});

describe("a client's answer to an awaited callback", () => {
  /** A raw client holding a probe; `relay` over REST makes the server ask it. */
  async function asked(): Promise<{ client: RawClient; id: number; answer: Promise<any> }> {
    const client = new RawClient(running.wsUrl);
    await client.opened;
    await client.request(1, "lab.Lab.hold", { probe: "p1" });
    const answer = post(`${running.url}/lab.Lab/relay`, { question: "q" });
    const request = await client.next((m) => m.method === "$/callback" && m.id !== undefined);
    return { client, id: request.id, answer };
  }

  test.each(depths)(
    "a result %i levels deep fails the callback at once; the caller gets 500",
    async (depth) => {
      const { client, id, answer } = await asked();
      client.send(`{"jsonrpc":"2.0","id":${id},"result":${nested(depth)}}`);
      const outcome = await answer;
      // The client's fault, escaping the implementation: undeclared, no message of it leaves.
      expect(outcome.status).toBe(500);
      expect(outcome.body.code).toBe(ErrorCode.InternalError);
      expect(outcome.text).not.toMatch(/nested/);
      // Never an answer to an answer.
      expect(client.messages.filter((m) => m.error !== undefined)).toEqual([]);
      expect((await client.request(2, "vault.Vault.echo", { text: "up" })).result).toBe("up");
      await client.close();
      await stillServing();
    },
  );

  test.each(depths)("error.data %i levels deep fails the callback at once", async (depth) => {
    const { client, id, answer } = await asked();
    client.send(
      `{"jsonrpc":"2.0","id":${id},"error":{"code":-32000,"message":"x","data":${nested(depth)}}}`,
    );
    const outcome = await answer;
    expect(outcome.status).toBe(500);
    expect(client.messages.filter((m) => m.error !== undefined)).toEqual([]);
    await client.close();
    await stillServing();
  });
});

describe("answers the server cannot send", () => {
  test("deeper than the limit: -32603 on /ws and /rpc, 500 on REST; the connection stays", async () => {
    for (const levels of [101, 2_500, 10_000, 200_000]) {
      const client = new RawClient(running.wsUrl);
      await client.opened;
      // Past the stack's depth the codec fails first (an incident id); either way -32603.
      expect((await client.request(1, "vault.Vault.nest", { levels })).error).toMatchObject({
        code: ErrorCode.InternalError,
        message: "Internal error",
      });
      expect((await client.request(2, "vault.Vault.echo", { text: "still" })).result).toBe("still");
      await client.close();
      const rest = await post(`${running.url}/vault.Vault/nest`, { levels });
      expect(rest.status).toBe(500);
      const rpc = await post(`${running.url}/rpc`, {
        jsonrpc: "2.0",
        id: 3,
        method: "vault.Vault.nest",
        params: { levels },
      });
      expect(rpc.body).toMatchObject({
        jsonrpc: "2.0",
        id: 3,
        error: { code: ErrorCode.InternalError, message: "Internal error" },
      });
    }
    await stillServing();
  });

  test("within the limit it is sent as is", async () => {
    const rest = await post(`${running.url}/vault.Vault/nest`, { levels: 100 });
    expect(rest.text).toBe(nested(100));
  });
});
