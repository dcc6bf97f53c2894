/**
 * Hostile MessagePack frames over a real socket: lying length headers, deep nesting,
 * extension types, `__proto__` keys, invalid UTF-8, huge bin headers, bad types in the
 * envelope. Each gets a precise answer (or close code); the server stays up and its other
 * clients are served throughout.
 */
import { afterEach, describe, expect, test } from "@jest/globals";
import { Encoder } from "@msgpack/msgpack";
import { connectWebSocket, type WebSocketConnection } from "@svcgen/runtime";
import { RawClient, startServer, until, type Running } from "./harness.js";
import { LabDescriptor } from "./services.js";

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const encoder = new Encoder({ useBigInt64: true });
const bytes = (...parts: (number | number[] | Uint8Array)[]) =>
  Uint8Array.from(parts.flatMap((part) => (typeof part === "number" ? [part] : Array.from(part))));
/** MessagePack str of ASCII text. */
const str = (text: string) => bytes(0xa0 | text.length, [...Buffer.from(text)]);

async function server(options: Parameters<typeof startServer>[0] = {}): Promise<Running> {
  const running = await startServer(options);
  cleanup.push(() => running.close());
  return running;
}

async function raw(running: Running): Promise<RawClient> {
  const client = new RawClient(running.wsUrl, {}, ["svc.msgpack"]);
  cleanup.push(() => client.close());
  await client.opened;
  expect(client.socket.protocol).toBe("svc.msgpack");
  return client;
}

async function bystander(running: Running): Promise<WebSocketConnection> {
  const connection = await connectWebSocket(running.wsUrl, {
    reconnect: false,
    encoding: "msgpack",
  });
  cleanup.push(() => connection.close());
  return connection;
}

/** `{"jsonrpc":"2.0","id":id,"method":"lab.Lab.echo","params":` then `params` raw. */
function echoWithRawParams(id: number, params: Uint8Array): Uint8Array {
  return bytes(
    0x84,
    str("jsonrpc"),
    str("2.0"),
    str("id"),
    id,
    str("method"),
    0xac,
    [...Buffer.from("lab.Lab.echo")],
    str("params"),
    params,
  );
}

describe("hostile MessagePack frames", () => {
  test("each gets a precise answer and the server keeps serving everyone", async () => {
    const running = await server();
    const other = await bystander(running);
    const client = await raw(running);
    const parseErrors = () =>
      client.messages.filter((m) => m.id === null && m.error?.code === -32700).length;
    const hostile: Uint8Array[] = [
      // A str claiming 4 GiB, with 3 bytes behind it.
      bytes(0xdb, 0xff, 0xff, 0xff, 0xff, 0x61, 0x62, 0x63),
      // A bin claiming 2 GiB.
      bytes(0xc6, 0x7f, 0xff, 0xff, 0xff, 0x00),
      // An array of 2^32-1 elements, a map of 2^32-1 entries.
      bytes(0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0),
      bytes(0xdf, 0xff, 0xff, 0xff, 0xff, 0xc0, 0xc0),
      // msgpackr's record extension and an unknown fixext.
      bytes(0xd4, 0x72, 0x00),
      bytes(0xd6, 0x05, 1, 2, 3, 4),
      // Invalid UTF-8 in a str; a non-string map key; the reserved byte; trailing bytes.
      bytes(0x81, 0xa1, 0x61, 0xa2, 0xc3, 0x28),
      bytes(0x81, 0x01, 0xc0),
      bytes(0xc1),
      bytes(0x80, 0x80),
      // Truncated: a float 64 with 2 of its 8 bytes.
      bytes(0xcb, 0x40, 0x09),
    ];
    for (const frame of hostile) client.send(frame);
    await until(() => parseErrors() === hostile.length);
    expect(client.socket.readyState).toBe(client.socket.OPEN);
    expect(await other.call(LabDescriptor, "echo", [1])).toBe(1);

    // Nesting beyond limits.maxDepth (100): refused as nested too deeply, with its id.
    let deep = bytes(0x01);
    for (let i = 0; i < 200; i++) deep = bytes(0x91, deep);
    client.send(echoWithRawParams(5, bytes(0x81, str("n"), deep)));
    expect(await client.next((m) => m.id === 5)).toMatchObject({
      error: { code: -32602, message: expect.stringMatching(/nested too deeply/) },
    });
    // A million levels in a frame under the size limit: skipped without recursion.
    const million = new Uint8Array(1_000_001).fill(0x91);
    million[million.length - 1] = 0xc0;
    client.send(echoWithRawParams(6, million));
    expect(await client.next((m) => m.id === 6)).toMatchObject({ error: { code: -32602 } });

    // Wrong types where the schema wants int32: a bigint beyond it, a bin, a timestamp.
    client.send(
      encoder.encode({ jsonrpc: "2.0", id: 7, method: "lab.Lab.echo", params: { n: 2n ** 40n } }),
    );
    client.send(
      encoder.encode({
        jsonrpc: "2.0",
        id: 8,
        method: "lab.Lab.echo",
        params: { n: Uint8Array.of(1) },
      }),
    );
    client.send(
      encoder.encode({ jsonrpc: "2.0", id: 9, method: "lab.Lab.echo", params: { n: new Date(0) } }),
    );
    for (const id of [7, 8, 9]) {
      expect(await client.next((m) => m.id === id)).toMatchObject({
        error: { code: -32602, data: { errors: [{ pointer: "/n" }] } },
      });
    }
    // An envelope of the wrong types: a bin method, a bigint id beyond 2^53.
    client.send(encoder.encode({ jsonrpc: "2.0", id: 10, method: Uint8Array.of(1) }));
    expect(await client.next((m) => m.id === 10)).toMatchObject({ error: { code: -32600 } });
    client.send(
      encoder.encode({ jsonrpc: "2.0", id: 2n ** 60n, method: "lab.Lab.echo", params: [1] }),
    );
    expect(await client.next((m) => m.id === null && m.error?.code === -32600)).toBeDefined();

    // `__proto__` keys are data: the call still reads its params, nothing is polluted.
    const polluted = bytes(
      0x84,
      str("jsonrpc"),
      str("2.0"),
      str("id"),
      11,
      str("method"),
      0xac,
      [...Buffer.from("lab.Lab.echo")],
      str("params"),
      0x82,
      str("__proto__"),
      0x81,
      str("polluted"),
      0xc3,
      str("n"),
      42,
    );
    client.send(polluted);
    expect(await client.next((m) => m.id === 11)).toMatchObject({ result: 42 });
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();

    expect(client.socket.readyState).toBe(client.socket.OPEN);
    expect(await other.call(LabDescriptor, "echo", [2])).toBe(2);
  });

  test("a frame over maxFrameBytes closes with 1009, others are still served", async () => {
    const running = await server({ limits: { maxFrameBytes: 64 * 1024 } });
    const other = await bystander(running);
    const big = await raw(running);
    big.send(bytes(0xc6, 0x00, 0x01, 0x00, 0x00, new Uint8Array(65_536)));
    expect((await big.closed).code).toBe(1009);
    expect(await other.call(LabDescriptor, "echo", [3])).toBe(3);
  });

  test("a text frame under svc.msgpack closes with 1003, the client's other calls are not affected", async () => {
    const running = await server();
    const other = await bystander(running);
    const client = await raw(running);
    client.socket.send("{}");
    expect((await client.closed).code).toBe(1003);
    expect(await other.call(LabDescriptor, "echo", [4])).toBe(4);
  });
});
