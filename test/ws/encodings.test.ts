/**
 * Both WebSocket encodings end to end, over real sockets: which one a client gets, every IDL
 * type through a real server and back, declared errors with typed fields, callbacks oneway
 * and awaited, and broadcasts to members on either encoding.
 */
import { afterEach, describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import WebSocket from "ws";
import { Decoder } from "@msgpack/msgpack";
import {
  RpcServer,
  connectWebSocket,
  type RpcServerOptions,
  type WebSocketConnection,
} from "@svcgen/runtime";
import { cases, objectOf } from "../codec/wire-arbitraries.js";
import { startServer, until, type Running } from "./harness.js";
import { ChatRoomDescriptor, LabDescriptor, type ChatMember, type Message } from "./services.js";
import {
  Refused,
  TypesDescriptor,
  TypesImpl,
  echoName,
  type Sample,
  type Watcher,
} from "./typed-services.js";

let running: Running | undefined;
let typed: { server: RpcServer; impl: TypesImpl; wsUrl: string } | undefined;
const connections: WebSocketConnection[] = [];
const sockets: WebSocket[] = [];

afterEach(async () => {
  await Promise.all(connections.splice(0).map((c) => c.close()));
  for (const socket of sockets.splice(0)) socket.terminate();
  await running?.close();
  await typed?.server.close();
  running = typed = undefined;
});

async function typedServer(options: RpcServerOptions = {}) {
  const server = new RpcServer({ logger: false, ...options });
  const impl = new TypesImpl();
  server.register(impl);
  const { url } = await server.listen({ port: 0, host: "127.0.0.1" });
  typed = { server, impl, wsUrl: `${url.replace(/^http/, "ws")}/ws` };
  return typed;
}

async function connect(
  url: string,
  options: Parameters<typeof connectWebSocket>[1] = {},
): Promise<WebSocketConnection> {
  const connection = await connectWebSocket(url, { reconnect: false, ...options });
  connections.push(connection);
  return connection;
}

/** A raw socket offering `protocols`; resolves once open with the protocol chosen. */
async function rawSocket(url: string, protocols: string[]): Promise<WebSocket> {
  const socket = new WebSocket(url, protocols);
  sockets.push(socket);
  socket.on("error", () => undefined);
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("close", reject);
  });
  return socket;
}

function closeOf(socket: WebSocket): Promise<number> {
  return new Promise((resolve) => socket.once("close", (code) => resolve(code)));
}

const sample: Sample = {
  count: -(2n ** 63n),
  data: Uint8Array.of(0, 255, 7),
  at: new Date("2026-12-01T10:20:30.456Z"),
  // An own `__proto__` entry: data, never a prototype, under both encodings.
  labels: objectOf([
    ["__proto__", 2n ** 63n - 1n],
    ["plain", 5n],
  ]),
  note: "ü",
};

describe("negotiation", () => {
  test("the server takes the first subprotocol offered that it speaks", async () => {
    running = await startServer();
    expect((await rawSocket(running.wsUrl, ["svc.msgpack", "svc.json"])).protocol).toBe(
      "svc.msgpack",
    );
    expect((await rawSocket(running.wsUrl, ["svc.json", "svc.msgpack"])).protocol).toBe("svc.json");
    expect((await rawSocket(running.wsUrl, ["x.other", "svc.msgpack"])).protocol).toBe(
      "svc.msgpack",
    );
    // No subprotocol at all: JSON, as for any JSON-RPC client.
    expect((await rawSocket(running.wsUrl, [])).protocol).toBe("");
  });

  test("the client offers MessagePack when asked and falls back to what the server speaks", async () => {
    running = await startServer();
    expect((await connect(running.wsUrl)).encoding).toBe("svc.json");
    expect((await connect(running.wsUrl, { encoding: "msgpack" })).encoding).toBe("svc.msgpack");
    await running.close();
    running = await startServer({ encodings: ["svc.json"] });
    const fallback = await connect(running.wsUrl, { encoding: "msgpack" });
    expect(fallback.encoding).toBe("svc.json");
    expect(await fallback.call(LabDescriptor, "echo", [7])).toBe(7);
  });

  test("a text frame under svc.msgpack closes with 1003, a binary one under svc.json too", async () => {
    running = await startServer();
    const msgpack = await rawSocket(running.wsUrl, ["svc.msgpack"]);
    const closedMsgpack = closeOf(msgpack);
    msgpack.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "lab.Lab.echo", params: [1] }));
    expect(await closedMsgpack).toBe(1003);

    const json = await rawSocket(running.wsUrl, ["svc.json"]);
    const closedJson = closeOf(json);
    json.send(Uint8Array.of(0x80), { binary: true });
    expect(await closedJson).toBe(1003);
    // Others are still served.
    const client = await connect(running.wsUrl, { encoding: "msgpack" });
    expect(await client.call(LabDescriptor, "echo", [3])).toBe(3);
  });

  test("under svc.msgpack every frame from the server is binary MessagePack", async () => {
    running = await startServer();
    const socket = await rawSocket(running.wsUrl, ["svc.msgpack"]);
    const frames: { binary: boolean; data: Buffer }[] = [];
    socket.on("message", (data, isBinary) =>
      frames.push({ binary: isBinary, data: data as Buffer }),
    );
    const { encode } = await import("@msgpack/msgpack");
    socket.send(encode({ jsonrpc: "2.0", id: 1, method: "lab.Lab.echo", params: { n: 9 } }));
    socket.send(encode({ jsonrpc: "2.0", id: 2, method: "no.Such.method" }));
    socket.send(Uint8Array.of(0xc1)); // not MessagePack
    await until(() => frames.length === 3);
    expect(frames.every((f) => f.binary)).toBe(true);
    const decoded = frames.map((f) => new Decoder().decode(f.data) as any);
    // Answers go out as calls finish: the parse error first, it needs no dispatch.
    const byId = (id: unknown) => decoded.find((message) => message.id === id);
    expect(byId(1)).toEqual({ jsonrpc: "2.0", id: 1, result: 9 });
    expect(byId(2)).toMatchObject({ jsonrpc: "2.0", error: { code: -32601 } });
    expect(byId(null)).toMatchObject({ jsonrpc: "2.0", error: { code: -32700 } });
  });
});

describe("batches under svc.msgpack", () => {
  test("a batch is an array of maps, answered with one array of maps", async () => {
    running = await startServer();
    const socket = await rawSocket(running.wsUrl, ["svc.msgpack"]);
    const { encode } = await import("@msgpack/msgpack");
    const answers: unknown[] = [];
    socket.on("message", (data) => answers.push(new Decoder().decode(data as Buffer)));
    socket.send(
      encode([
        { jsonrpc: "2.0", id: 1, method: "lab.Lab.echo", params: { n: 1 } },
        { jsonrpc: "2.0", method: "lab.Lab.echo", params: { n: 2 } }, // a notification
        { jsonrpc: "2.0", id: 3, method: "lab.Lab.echo", params: { n: "three" } },
      ]),
    );
    await until(() => answers.length === 1);
    expect(answers[0]).toEqual([
      { jsonrpc: "2.0", id: 1, result: 1 },
      expect.objectContaining({ id: 3, error: expect.objectContaining({ code: -32602 }) }),
    ]);
  });
});

describe.each(["json", "msgpack"] as const)("under %s", (encoding) => {
  test("every IDL type goes through a real server and back unchanged", async () => {
    const { wsUrl } = await typedServer();
    const client = await connect(wsUrl, { encoding });
    expect(client.encoding).toBe(`svc.${encoding}`);
    for (const [i, [, , values]] of cases.entries()) {
      // A few seeded runs per type, each a real round trip.
      const samples = fc.sample(values, { numRuns: 12, seed: 1500 + i });
      const back = await Promise.all(
        samples.map((value) => client.call(TypesDescriptor, echoName(i), [value])),
      );
      expect(back).toEqual(samples);
      for (const [n, value] of samples.entries()) {
        if (typeof value === "object" && value !== null && !ArrayBuffer.isView(value)) {
          // toEqual does not see own `__proto__` keys; compare the keys themselves too.
          expect(Object.keys(back[n] as object)).toEqual(Object.keys(value));
        }
      }
    }
  });

  test("a declared error arrives with its int64, bytes and timestamp fields", async () => {
    const { wsUrl } = await typedServer();
    const client = await connect(wsUrl, { encoding });
    const error = await client.call(TypesDescriptor, "refuse", [sample]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Refused);
    expect((error as Refused).fields).toEqual({
      code: sample.count,
      token: sample.data,
      at: sample.at,
    });
  });

  test("callbacks oneway and awaited carry typed values both ways, declared errors too", async () => {
    const { wsUrl, impl } = await typedServer();
    const client = await connect(wsUrl, { encoding });
    const seen: Sample[] = [];
    const watcher: Watcher = {
      seen: (s) => void seen.push(s),
      transform: (s) => ({ ...s, count: s.count + 1n, data: s.data.subarray(1) }),
      refuse: (s) => {
        throw new Refused({ code: s.count, token: s.data, at: s.at }, "no");
      },
    };
    const error = await client
      .call(TypesDescriptor, "watch", [watcher, sample])
      .catch((e: unknown) => e);
    expect(seen).toEqual([sample]);
    expect(Object.keys(seen[0]!.labels)).toEqual(["__proto__", "plain"]);
    const expected = { ...sample, count: sample.count + 1n, data: Uint8Array.of(255, 7) };
    expect(impl.outcomes[0]!.transformed).toEqual(expected);
    expect(impl.outcomes[0]!.refusal).toBeInstanceOf(Refused);
    expect(error).toBeInstanceOf(Refused);
    expect((error as Refused).fields).toEqual({
      code: expected.count,
      token: expected.data,
      at: expected.at,
    });
  });
});

describe("mixed encodings", () => {
  test("one broadcast reaches members on JSON and on MessagePack alike", async () => {
    running = await startServer();
    const received: Record<string, Message[]> = { json: [], msgpack: [] };
    const member = (into: Message[]): ChatMember => ({
      message: (m) => void into.push(m),
      joined() {},
      left() {},
    });
    const json = await connect(running.wsUrl, { encoding: "json" });
    const msgpack = await connect(running.wsUrl, { encoding: "msgpack" });
    await json.call(ChatRoomDescriptor, "join", ["ann", member(received.json!)]);
    await msgpack.call(ChatRoomDescriptor, "join", ["bob", member(received.msgpack!)]);
    await msgpack.call(ChatRoomDescriptor, "send", ["hello ü"]);
    await json.call(ChatRoomDescriptor, "send", ["hi"]);
    await until(() => received.json!.length === 2 && received.msgpack!.length === 2);
    const expected = [
      { from: "bob", text: "hello ü", sentAt: new Date(0) },
      { from: "ann", text: "hi", sentAt: new Date(0) },
    ];
    expect(received.json).toEqual(expected);
    expect(received.msgpack).toEqual(expected);
  });
});
