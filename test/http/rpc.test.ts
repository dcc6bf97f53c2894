import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import jayson from "jayson";
import { post, startServer, type Running } from "./harness.js";

let running: Running;
beforeAll(async () => {
  running = await startServer({ limits: { maxBatchSize: 5 } });
});
afterAll(() => running.close());

const rpc = (body: unknown, headers?: Record<string, string>) =>
  post(`${running.url}/rpc`, body, headers);
const request = (id: number, method: string, params?: unknown) => ({
  jsonrpc: "2.0",
  id,
  method,
  ...(params === undefined ? {} : { params }),
});

describe("JSON-RPC over HTTP", () => {
  test("a single request answers its result", async () => {
    const answer = await rpc(request(1, "shop.Shop.add", { a: 1, b: 2 }));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ jsonrpc: "2.0", id: 1, result: 3 });
  });

  test("positional params and void results (null)", async () => {
    expect((await rpc(request(2, "shop.Shop.add", [4, 5]))).body.result).toBe(9);
    expect((await rpc(request(3, "shop.Shop.reset"))).body).toEqual({
      jsonrpc: "2.0",
      id: 3,
      result: null,
    });
  });

  test("a batch answers every request, in order, and skips notifications", async () => {
    const answer = await rpc([
      request(1, "shop.Shop.add", [1, 1]),
      { jsonrpc: "2.0", method: "shop.Shop.reset" },
      request(2, "shop.Shop.find", ["nope"]),
      request(3, "nope.Nope.x"),
    ]);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual([
      { jsonrpc: "2.0", id: 1, result: 2 },
      {
        jsonrpc: "2.0",
        id: 2,
        error: {
          code: -32000,
          message: "no item nope",
          data: { error: "shop.ItemNotFound", data: { id: "nope" } },
        },
      },
      { jsonrpc: "2.0", id: 3, error: { code: -32601, message: expect.any(String) } },
    ]);
  });

  test("notifications only: 204", async () => {
    const before = running.shop.events.resets;
    const single = await rpc({ jsonrpc: "2.0", method: "shop.Shop.reset" });
    expect(single.status).toBe(204);
    const batch = await rpc([
      { jsonrpc: "2.0", method: "shop.Shop.reset" },
      { jsonrpc: "2.0", method: "shop.Shop.reset", params: [] },
    ]);
    expect(batch.status).toBe(204);
    expect(running.shop.events.resets).toBe(before + 3);
  });

  test("every error code", async () => {
    const code = async (body: unknown) => (await rpc(body)).body.error.code;
    expect(await code("{oops")).toBe(-32700);
    expect(await code({ jsonrpc: "1.0", id: 1, method: "shop.Shop.add" })).toBe(-32600);
    expect(await code({ jsonrpc: "2.0", id: 1, method: 7 })).toBe(-32600);
    expect(await code({ jsonrpc: "2.0", id: 1, method: "shop.Shop.add", params: 3 })).toBe(-32600);
    expect(await code([])).toBe(-32600);
    expect(await code(request(1, "shop.Shop.missing"))).toBe(-32601);
    expect(await code(request(1, "toString"))).toBe(-32601);
    expect(await code(request(1, "shop.Shop.add", { a: "x" }))).toBe(-32602);
    expect(await code(request(1, "shop.Shop.crash"))).toBe(-32603);
    expect(await code(request(1, "shop.Shop.find", ["x"]))).toBe(-32000);
    expect(await code(request(1, "shop.Shop.watch", { ticker: "c1" }))).toBe(-32602);
    const overBatch = Array.from({ length: 6 }, (_, i) => request(i, "shop.Shop.add", [i, i]));
    expect(await code(overBatch)).toBe(-32006);
  });

  test("invalid params carry data.errors with pointers", async () => {
    const answer = await rpc(request(1, "shop.Shop.add", [1]));
    expect(answer.body.error.data.errors).toEqual([{ pointer: "/1", detail: "required" }]);
  });

  test("invalid entries of a batch are answered one by one", async () => {
    const answer = await rpc([1, request(7, "shop.Shop.add", [1, 2])]);
    expect(answer.body).toEqual([
      { jsonrpc: "2.0", id: null, error: { code: -32600, message: expect.any(String) } },
      { jsonrpc: "2.0", id: 7, result: 3 },
    ]);
  });

  test("$/contract lists the services with their hashes", async () => {
    const answer = await rpc(request(1, "$/contract"));
    expect(answer.body.result).toEqual({
      services: { "shop.Shop": "a".repeat(64), "shop.Counter": "c".repeat(64) },
    });
  });

  test("wrong verb: 405; not JSON: 415", async () => {
    const response = await fetch(`${running.url}/rpc`);
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
    await response.body?.cancel();
    expect((await rpc("{}", { "content-type": "text/plain" })).status).toBe(415);
  });

  test("the jayson client can call it", async () => {
    const client = jayson.Client.http({ host: "127.0.0.1", port: running.port, path: "/rpc" });
    const sum = await new Promise((resolve, reject) =>
      client.request("shop.Shop.add", { a: 20, b: 22 }, (error: unknown, response: any) =>
        error ? reject(error) : resolve(response),
      ),
    );
    expect(sum).toMatchObject({ id: expect.anything(), result: 42 });
    const failure: any = await new Promise((resolve, reject) =>
      client.request("shop.Shop.find", ["zz"], (error: unknown, response: unknown) =>
        error ? reject(error) : resolve(response),
      ),
    );
    expect(failure.error).toMatchObject({ code: -32000, data: { error: "shop.ItemNotFound" } });
  });
});
