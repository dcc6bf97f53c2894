/** The server's side of the wire, seen by a raw `ws` client: frames, errors, limits, auth. */
import { afterEach, describe, expect, test } from "@jest/globals";
import { RawClient, startServer, until, type Running } from "./harness.js";

let running: Running | undefined;
const clients: RawClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await running?.close();
  running = undefined;
});

async function open(
  options: Parameters<typeof startServer>[0] = {},
  protocols?: string[],
): Promise<RawClient> {
  running ??= await startServer(options);
  const client = new RawClient(running.wsUrl, {}, protocols);
  clients.push(client);
  await client.opened;
  return client;
}

describe("WebSocket frames", () => {
  test("subprotocol svc.json is chosen when offered; none offered is fine too", async () => {
    const offered = await open({}, ["other", "svc.json"]);
    expect(offered.socket.protocol).toBe("svc.json");
    const plain = await open();
    expect(plain.socket.protocol).toBe("");
  });

  test("$/contract answers every service's contract hash", async () => {
    const client = await open();
    const answer = await client.request(1, "$/contract");
    expect(answer.result).toEqual({
      services: {
        "chat.ChatRoom": "b".repeat(64),
        "lab.Lab": "d".repeat(64),
        "lab.Session": "e".repeat(64),
      },
    });
  });

  test("invalid JSON, invalid requests, unknown methods and bad params get their codes", async () => {
    const client = await open();
    client.send("{not json");
    expect((await client.next((m) => m.error?.code === -32700)).id).toBeNull();
    client.send({ jsonrpc: "1.0", id: 7, method: "lab.Lab.echo" });
    expect((await client.next((m) => m.id === 7)).error.code).toBe(-32600);
    expect((await client.request(8, "lab.Lab.nope")).error.code).toBe(-32601);
    expect((await client.request(9, "$/nope")).error.code).toBe(-32601);
    const bad = await client.request(10, "lab.Lab.echo", { n: "three" });
    expect(bad.error.code).toBe(-32602);
    expect(bad.error.data.errors).toEqual([{ pointer: "/n", detail: "expected int32" }]);
    const badId = await client.request(11, "lab.Lab.hold", { probe: "not an id!" });
    expect(badId.error.code).toBe(-32602);
    expect(badId.error.data.errors[0].pointer).toBe("/probe");
    expect((await client.request(12, "lab.Lab.echo", { n: 3 })).result).toBe(3);
  });

  test("a batch is answered as one array; an empty batch is an invalid request", async () => {
    const client = await open();
    client.send([
      { jsonrpc: "2.0", id: "a", method: "lab.Lab.echo", params: [1] },
      { jsonrpc: "2.0", method: "lab.Lab.echo", params: [2] },
      { jsonrpc: "2.0", id: "b", method: "lab.Lab.echo", params: { n: 3 } },
    ]);
    const batch = await client.nextValue((value) => Array.isArray(value));
    expect(batch).toEqual([
      { jsonrpc: "2.0", id: "a", result: 1 },
      { jsonrpc: "2.0", id: "b", result: 3 },
    ]);
    client.send([]);
    expect((await client.next((m) => m.error?.code === -32600)).id).toBeNull();
  });

  test("a binary frame closes the connection with 1003", async () => {
    const client = await open();
    client.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    expect((await client.closed).code).toBe(1003);
  });

  test("a frame over the limit closes the connection with 1009", async () => {
    const client = await open({ limits: { maxFrameBytes: 1024 } });
    client.send({ jsonrpc: "2.0", id: 1, method: "lab.Lab.echo", params: ["x".repeat(2000)] });
    expect((await client.closed).code).toBe(1009);
  });

  test("$/cancel aborts the call's signal and the call answers -32002", async () => {
    const client = await open();
    client.send({ jsonrpc: "2.0", id: 5, method: "lab.Lab.wait", params: { ms: 20_000 } });
    // Messages are read in order: the call is running when the cancel arrives.
    client.send({ jsonrpc: "2.0", method: "$/cancel", params: { id: 5 } });
    const answer = await client.next((m) => m.id === 5);
    expect(answer.error.code).toBe(-32002);
    await until(() => running!.lab.cancelled.length === 1);
  });

  test("calls in flight and callbacks per connection are limited (-32006)", async () => {
    const client = await open({
      limits: { maxInFlightPerConnection: 2, maxCallbacksPerConnection: 2 },
    });
    for (const id of [1, 2, 3]) {
      client.send({ jsonrpc: "2.0", id, method: "lab.Lab.wait", params: { ms: 20_000 } });
    }
    expect((await client.next((m) => m.id === 3)).error.code).toBe(-32006);
    for (const id of [1, 2]) client.send({ jsonrpc: "2.0", method: "$/cancel", params: { id } });
    await client.next((m) => m.id === 2);

    expect((await client.request(10, "lab.Lab.hold", { probe: "p1" })).result).toBeNull();
    expect((await client.request(11, "lab.Lab.hold", { probe: "p2" })).result).toBeNull();
    expect((await client.request(12, "lab.Lab.hold", { probe: "p1" })).result).toBeNull();
    expect((await client.request(13, "lab.Lab.hold", { probe: "p3" })).error.code).toBe(-32006);
    // A released callback frees its place.
    client.send({ jsonrpc: "2.0", method: "$/release", params: { callback: "p1" } });
    expect((await client.request(14, "lab.Lab.hold", { probe: "p3" })).result).toBeNull();
  });

  test("a refused upgrade is a plain 401 and no socket", async () => {
    running = await startServer({
      authenticate: (req) => (req.headers.authorization === "Bearer ok" ? { user: "u" } : null),
    });
    const refused = new RawClient(running.wsUrl);
    const failure = await new Promise<Error>((resolve) => refused.socket.on("error", resolve));
    expect(failure.message).toBe("Unexpected server response: 401");
    expect((await refused.closed).code).toBe(1006);
    const accepted = new RawClient(running.wsUrl, { headers: { authorization: "Bearer ok" } });
    clients.push(accepted);
    await accepted.opened;
    expect((await accepted.request(1, "lab.Lab.echo", [4])).result).toBe(4);
  });
});
