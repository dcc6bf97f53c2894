/** The session wire protocol as PROTOCOL.md states it, spoken by hand with raw frames. */
import { afterEach, beforeAll, describe, expect, test } from "@jest/globals";
import { RawClient, until } from "../support/raw-clients.js";
import { startFeed, type FeedServer } from "./services.js";

let feed: FeedServer | undefined;
const clients: RawClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close().catch(() => undefined);
  await feed?.close();
  feed = undefined;
});

async function server(options: Parameters<typeof startFeed>[0] = {}) {
  feed = await startFeed({ heartbeatMs: 60_000, ...options });
  return `ws://127.0.0.1:${feed.port}/ws`;
}

/** Every test runs under both encodings: the session protocol is the same. */
let protocols: string[] = [];

async function raw(url: string): Promise<RawClient> {
  const client = new RawClient(url, {}, protocols);
  clients.push(client);
  await client.opened;
  expect(client.socket.protocol).toBe(protocols[0]);
  return client;
}

async function open(client: RawClient, resume: string | null = null, ack = 0) {
  const answer = await client.request(0, "$/session", { resume, ack, features: [] });
  return answer.result;
}

const call = (seq: number, id: number, method: string, params: unknown) => ({
  jsonrpc: "2.0",
  seq,
  id,
  method: `feed.Feed.${method}`,
  params,
});

describe.each([["svc.json"], ["svc.msgpack"]])("$/session under %s", (encoding) => {
  beforeAll(() => {
    protocols = [encoding];
  });

  test("a client that never asks gets plain JSON-RPC: no seq, nothing kept", async () => {
    const client = await raw(await server());
    const answer = await client.request(1, "feed.Feed.wait", { ms: 1 });
    expect(answer).toEqual({ jsonrpc: "2.0", id: 1, result: 1 });
    expect(feed!.server.webSocketStats.sessions).toBe(0);
  });

  test("open: an opaque token of 2 × 128 bits, then every message carries its seq", async () => {
    const client = await raw(await server());
    const answer = await open(client);
    expect(answer).toEqual({
      session: expect.stringMatching(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/),
      resumed: false,
      ack: 0,
      windowMs: 60_000,
      features: [],
    });
    client.send(call(1, 1, "wait", { ms: 1 }));
    client.send(call(2, 2, "wait", { ms: 2 }));
    const second = await client.next((m) => m.id === 2);
    const first = client.messages.find((m) => m.id === 1);
    expect([first.seq, second.seq].sort()).toEqual([1, 2]);
    expect(feed!.server.webSocketStats.sessions).toBe(1);
  });

  test("a duplicate is dropped silently; a jump or a missing seq closes with 1002", async () => {
    const url = await server();
    const client = await raw(url);
    await open(client);
    client.send(call(1, 1, "wait", { ms: 1 }));
    client.send(call(1, 1, "wait", { ms: 1 })); // a replay's duplicate
    client.send(call(2, 2, "wait", { ms: 1 }));
    await client.next((m) => m.id === 2);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(client.messages.filter((m) => m.id === 1)).toHaveLength(1);
    client.send(call(4, 4, "wait", { ms: 1 }));
    expect((await client.closed).code).toBe(1002);

    const other = await raw(url);
    await open(other);
    other.send({ jsonrpc: "2.0", id: 1, method: "feed.Feed.wait", params: { ms: 1 } });
    expect((await other.closed).code).toBe(1002);
  });

  test("acks: cumulative and without seq, after 64 messages", async () => {
    const client = await raw(await server({ sessions: { ack: { maxDelayMs: 60_000 } } }));
    await open(client);
    for (let seq = 1; seq <= 64; seq++) client.send(call(seq, seq, "wait", { ms: 0 }));
    const ack = await client.next((m) => m.method === "$/ack");
    expect(ack).toEqual({ jsonrpc: "2.0", method: "$/ack", params: { seq: 64 } });
    // The client acknowledges the server's 64 answers; one beyond them is a protocol error.
    await until(() => client.messages.filter((m) => m.id !== undefined).length === 65);
    client.send({ jsonrpc: "2.0", method: "$/ack", params: { seq: 64 } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(client.socket.readyState).toBe(client.socket.OPEN);
    client.send({ jsonrpc: "2.0", method: "$/ack", params: { seq: 65 } }); // never sent
    expect((await client.closed).code).toBe(1002);
  });

  test("acks: a lone message is acknowledged after the delay", async () => {
    const client = await raw(await server({ sessions: { ack: { maxDelayMs: 50 } } }));
    await open(client);
    client.send(call(1, 1, "wait", { ms: 0 }));
    const ack = await client.next((m) => m.method === "$/ack");
    expect(ack).toEqual({ jsonrpc: "2.0", method: "$/ack", params: { seq: 1 } });
  });

  test("resume: answers first, then replays the unacknowledged with their original seq", async () => {
    const url = await server();
    const first = await raw(url);
    const { session } = await open(first);
    first.send(call(1, 1, "wait", { ms: 1 }));
    first.send(call(2, 2, "wait", { ms: 300 }));
    await first.next((m) => m.id === 1);
    await first.vanish();
    const second = await raw(url);
    // It says it received nothing: the answer to 1 comes again, then the late one to 2.
    const answer = await open(second, session, 0);
    expect(answer).toMatchObject({ session, resumed: true, ack: 2 });
    const replayed = await second.next((m) => m.id === 1);
    const late = await second.next((m) => m.id === 2);
    expect(replayed.seq).toBe(first.messages.find((m) => m.id === 1).seq);
    expect(late).toMatchObject({ result: 300 });
    expect(second.messages[0].id).toBe(0); // the answer came before anything sequenced
    expect(feed!.server.webSocketStats.sessions).toBe(1);
  });

  test("takeover: a resume closes the session's older socket with 4000", async () => {
    const url = await server();
    const first = await raw(url);
    const { session } = await open(first);
    const second = await raw(url);
    expect(await open(second, session)).toMatchObject({ resumed: true });
    expect((await first.closed).code).toBe(4000);
    second.send(call(1, 1, "wait", { ms: 1 }));
    expect(await second.next((m) => m.id === 1)).toMatchObject({ seq: 1, result: 1 });
  });

  test("a wrong secret or an unknown token is refused as unknown, with a fresh session", async () => {
    const url = await server();
    const first = await raw(url);
    const { session } = await open(first);
    const intruder = await raw(url);
    const [id] = session.split(".");
    const answer = await open(intruder, `${id}.${"A".repeat(22)}`);
    expect(answer).toMatchObject({ resumed: false, reason: "unknown" });
    expect(answer.session).not.toBe(session);
    expect(first.socket.readyState).toBe(first.socket.OPEN); // the owner keeps it
    const stranger = await raw(url);
    expect(await open(stranger, "nothing.here")).toMatchObject({
      resumed: false,
      reason: "unknown",
    });
  });

  test("closing with 1000 ends the session at once; a later resume is refused", async () => {
    const url = await server();
    const first = await raw(url);
    const { session } = await open(first);
    first.socket.close(1000);
    await first.closed;
    await until(() => feed!.server.webSocketStats.sessions === 0);
    const again = await raw(url);
    expect(await open(again, session)).toMatchObject({ resumed: false });
  });

  test("a resume over the other encoding is refused (reason encoding); the session lives on", async () => {
    const url = await server();
    const first = await raw(url);
    const { session } = await open(first);
    const other = encoding === "svc.json" ? "svc.msgpack" : "svc.json";
    const stranger = new RawClient(url, {}, [other]);
    clients.push(stranger);
    await stranger.opened;
    const refused = await stranger.request(0, "$/session", { resume: session, ack: 0 });
    expect(refused.result).toMatchObject({ resumed: false, reason: "encoding" });
    expect(refused.result.session).not.toBe(session);
    // The owner's socket was not taken over and its session still answers.
    first.send(call(1, 1, "wait", { ms: 1 }));
    expect(await first.next((m) => m.id === 1)).toMatchObject({ seq: 1, result: 1 });
  });
});
