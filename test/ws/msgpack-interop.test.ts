/**
 * Foreign MessagePack clients: raw sockets that encode and decode with msgpackr and with
 * @msgpack/msgpack talk to the server under `svc.msgpack`: typed calls (int64, bytes,
 * timestamp), declared errors, and callbacks, including a broadcast to a long callback id.
 */
import { afterEach, describe, expect, test } from "@jest/globals";
import WebSocket from "ws";
import { Decoder, Encoder } from "@msgpack/msgpack";
import { Packr } from "msgpackr";
import { RpcServer } from "@svcgen/runtime";
import { startServer, until, type Running } from "./harness.js";
import { TypesImpl, echoName } from "./typed-services.js";
import { cases } from "../codec/wire-arbitraries.js";

interface Codec {
  encode(value: unknown): Uint8Array;
  decode(bytes: Uint8Array): any;
}

const msgpackJs = (() => {
  const encoder = new Encoder({ useBigInt64: true });
  const decoder = new Decoder({ useBigInt64: true });
  return {
    encode: (v: unknown) => encoder.encode(v),
    decode: (b: Uint8Array) => decoder.decode(b),
  };
})();
const msgpackr = (() => {
  const packr = new Packr({ useRecords: false, int64AsType: "bigint", mapsAsObjects: true });
  return { encode: (v: unknown) => packr.pack(v), decode: (b: Uint8Array) => packr.unpack(b) };
})();

let running: Running | undefined;
let typed: RpcServer | undefined;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  await running?.close();
  await typed?.close();
  running = typed = undefined;
});

/** A raw MessagePack client: every message it received, decoded by `codec`. */
async function foreign(url: string, codec: Codec) {
  const socket = new WebSocket(url, ["svc.msgpack"]);
  sockets.push(socket);
  const messages: any[] = [];
  socket.on("message", (data, isBinary) => {
    expect(isBinary).toBe(true);
    messages.push(...[codec.decode(data as Buffer)].flat());
  });
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  expect(socket.protocol).toBe("svc.msgpack");
  return {
    messages,
    send: (message: unknown) => socket.send(codec.encode(message)),
    async next(predicate: (m: any) => boolean) {
      await until(() => messages.some(predicate));
      return messages.find(predicate);
    },
  };
}

const int64Case = cases.findIndex(([name]) => name === "int64");
const bytesCase = cases.findIndex(([name]) => name === "bytes");
const timestampCase = cases.findIndex(([name]) => name === "timestamp");

describe.each([
  ["@msgpack/msgpack", msgpackJs],
  ["msgpackr", msgpackr],
])("a client using %s", (_name, codec) => {
  test("calls with int64, bytes and timestamps, and reads the answers", async () => {
    typed = new RpcServer({ logger: false });
    typed.register(new TypesImpl());
    const { url } = await typed.listen({ port: 0, host: "127.0.0.1" });
    const client = await foreign(`${url.replace(/^http/, "ws")}/ws`, codec);
    const method = (i: number) => `types.Types.${echoName(i)}`;
    client.send({
      jsonrpc: "2.0",
      id: 1,
      method: method(int64Case),
      params: { value: -(2n ** 63n) },
    });
    client.send({ jsonrpc: "2.0", id: 2, method: method(int64Case), params: [42] });
    client.send({
      jsonrpc: "2.0",
      id: 3,
      method: method(bytesCase),
      params: [Uint8Array.of(1, 2)],
    });
    const at = new Date("2026-12-01T12:00:00.123Z");
    client.send({ jsonrpc: "2.0", id: 4, method: method(timestampCase), params: [at] });
    // JSON's forms are not MessagePack's: an int64 as a string is refused.
    client.send({ jsonrpc: "2.0", id: 5, method: method(int64Case), params: ["42"] });

    expect((await client.next((m) => m.id === 1)).result).toBe(-(2n ** 63n));
    // A small int64 comes back in the shortest int form: a number to most decoders.
    expect(BigInt((await client.next((m) => m.id === 2)).result)).toBe(42n);
    expect(new Uint8Array((await client.next((m) => m.id === 3)).result)).toEqual(
      Uint8Array.of(1, 2),
    );
    expect((await client.next((m) => m.id === 4)).result).toEqual(at);
    expect(await client.next((m) => m.id === 5)).toMatchObject({
      error: { code: -32602, data: { errors: [{ pointer: "/0" }] } },
    });

    client.send({
      jsonrpc: "2.0",
      id: 6,
      method: "types.Types.refuse",
      params: { sample: { count: 7n, data: Uint8Array.of(9), at, labels: {} } },
    });
    const refused = await client.next((m) => m.id === 6);
    expect(refused.error.code).toBe(-32000);
    expect(refused.error.data.error).toBe("types.Refused");
    expect(BigInt(refused.error.data.data.code)).toBe(7n);
    expect(new Uint8Array(refused.error.data.data.token)).toEqual(Uint8Array.of(9));
    expect(refused.error.data.data.at).toEqual(at);
  });

  test("gets callbacks and broadcasts, a 64-character callback id included", async () => {
    running = await startServer();
    const client = await foreign(running.wsUrl, codec);
    const longId = "x".repeat(64);
    client.send({
      jsonrpc: "2.0",
      id: 1,
      method: "chat.ChatRoom.join",
      params: { name: "zed", member: longId },
    });
    expect((await client.next((m) => m.id === 1)).result).toEqual([]);
    client.send({ jsonrpc: "2.0", id: 2, method: "chat.ChatRoom.send", params: { text: "ö" } });
    const pushed = await client.next((m) => m.method === "$/callback");
    expect(pushed).toEqual({
      jsonrpc: "2.0",
      method: "$/callback",
      params: {
        callback: longId,
        method: "message",
        args: { message: { from: "zed", text: "ö", sentAt: new Date(0) } },
      },
    });
    // An awaited callback: the server asks, the foreign client answers.
    client.send({
      jsonrpc: "2.0",
      id: 3,
      method: "lab.Lab.ask",
      params: { probe: "p", question: "q?" },
    });
    const asked = await client.next((m) => m.method === "$/callback" && m.id !== undefined);
    expect(asked.params).toEqual({ callback: "p", method: "answer", args: { question: "q?" } });
    client.send({ jsonrpc: "2.0", id: asked.id, result: "yes" });
    expect((await client.next((m) => m.id === 3)).result).toBe("ok:yes");
  });
});
