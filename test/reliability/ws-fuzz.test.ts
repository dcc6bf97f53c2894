/**
 * The WebSocket endpoint on random and mutated frames: every message the server sends back
 * is well-formed JSON-RPC with a code of the spec, a frame the server cannot take closes
 * the connection with the spec's close code (never a crash), and a second, well-behaved
 * client keeps getting correct answers during and after.
 */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { connect, type Socket } from "node:net";
import { connectWebSocket, type WebSocketConnection } from "@svcgen/runtime";
import { fuzzRuns, fuzzTimeout } from "./fuzz-runs.js";
import { RawClient, startServer, type Running } from "./harness.js";
import { anyJson, hostileText } from "./mutations.js";
import { LabDescriptor, SECRET, type Probe } from "./services.js";

let running: Running;
beforeAll(async () => {
  running = await startServer({
    limits: { maxFrameBytes: 4096, maxBatchSize: 8, maxCallbacksPerConnection: 16 },
    callbackTimeoutMs: 200,
  });
});
afterAll(() => running.close());

const errorCodes = [
  -32700, -32600, -32601, -32602, -32603, -32000, -32001, -32002, -32003, -32004, -32005, -32006,
  -32007,
];
/** 1003 binary, 1007 not UTF-8, 1009 too big, 1002 protocol error found by ws itself. */
const closeCodes = [1002, 1003, 1007, 1009];

const messages = [
  '{"jsonrpc":"2.0","id":1,"method":"lab.Lab.echo","params":{"n":1}}',
  '{"jsonrpc":"2.0","id":"s","method":"vault.Vault.echo","params":["x"]}',
  '{"jsonrpc":"2.0","method":"lab.Lab.echo","params":[2]}',
  '{"jsonrpc":"2.0","id":2,"method":"lab.Lab.hold","params":{"probe":"p1"}}',
  '{"jsonrpc":"2.0","id":3,"method":"lab.Lab.ask","params":{"probe":"p2","question":"q"}}',
  '{"jsonrpc":"2.0","id":4,"method":"$/contract"}',
  '{"jsonrpc":"2.0","method":"$/cancel","params":{"id":1}}',
  '{"jsonrpc":"2.0","method":"$/release","params":{"callback":"p1"}}',
  '{"jsonrpc":"2.0","id":1,"result":"late answer"}',
  '{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"x"}}',
  '[{"jsonrpc":"2.0","id":5,"method":"lab.Lab.echo","params":[5]},{"jsonrpc":"2.0","method":"$/contract"}]',
  "[]",
];

/** What a fuzz step sends: text (maybe mutated), raw bytes as text, binary, or a big frame. */
type Frame =
  | { kind: "text"; text: string }
  | { kind: "binary"; bytes: Uint8Array }
  | { kind: "bad-utf8" }
  | { kind: "big" };

const frame: fc.Arbitrary<Frame> = fc.oneof(
  { arbitrary: hostileText(messages).map((text) => ({ kind: "text" as const, text })), weight: 12 },
  {
    arbitrary: fc
      .array(anyJson, { maxLength: 10 })
      .map((batch) => ({ kind: "text" as const, text: JSON.stringify(batch) })),
    weight: 3,
  },
  {
    arbitrary: fc
      .uint8Array({ maxLength: 16 })
      .map((bytes) => ({ kind: "binary" as const, bytes })),
    weight: 1,
  },
  { arbitrary: fc.constant({ kind: "bad-utf8" as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: "big" as const }), weight: 1 },
);

function expectWellFormed(message: any): void {
  expect(message.jsonrpc).toBe("2.0");
  if (message.method !== undefined) {
    // Server-initiated: a callback request or a release notice.
    expect(["$/callback", "$/released"]).toContain(message.method);
    return;
  }
  expect("id" in message).toBe(true);
  if ("error" in message) expect(errorCodes).toContain(message.error.code);
  else expect("result" in message).toBe(true);
}

function sendFrame(client: RawClient, step: Frame): void {
  switch (step.kind) {
    case "text":
      client.socket.send(step.text);
      break;
    case "binary":
      client.socket.send(step.bytes, { binary: true });
      break;
    case "bad-utf8":
      client.socket.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
      break;
    case "big":
      client.socket.send(`"${"x".repeat(5000)}"`);
      break;
  }
}

let sentinel = 0;

/**
 * Sends the frame, then a request the server must answer; resolves with the close code if
 * the server closed the connection instead.
 */
async function step(client: RawClient, frame: Frame): Promise<number | undefined> {
  sendFrame(client, frame);
  const id = `sentinel-${++sentinel}`;
  client.send({ jsonrpc: "2.0", id, method: "lab.Lab.echo", params: { n: sentinel } });
  const answered = client
    .next((m) => m?.id === id)
    .then(
      (m) => {
        expect(m.result).toBe(sentinel);
        return undefined;
      },
      async () => (await client.closed).code,
    );
  return answered;
}

describe("WebSocket endpoint under fuzzing", () => {
  test(
    "random and mutated frames: well-formed answers or a close code of the spec; others unaffected",
    async () => {
      const good: WebSocketConnection = await connectWebSocket(running.wsUrl, { reconnect: false });
      const probe: Probe = { item() {}, blob() {}, answer: (q) => q.toUpperCase() };
      let stopped = false;
      let goodCalls = 0;
      const wellBehaved = (async () => {
        while (!stopped) {
          const n = goodCalls++;
          expect(await good.call(LabDescriptor, "echo", [n])).toBe(n);
          if (n % 10 === 0)
            expect(await good.call(LabDescriptor, "ask", [probe, "hi"])).toBe("ok:HI");
        }
      })();

      let client = new RawClient(running.wsUrl);
      const clients = [client];
      await fc.assert(
        fc.asyncProperty(frame, async (f) => {
          if (client.socket.readyState !== client.socket.OPEN) {
            client = new RawClient(running.wsUrl);
            clients.push(client);
          }
          await client.opened;
          const closedWith = await step(client, f);
          if (closedWith !== undefined) expect(closeCodes).toContain(closedWith);
          if (f.kind === "binary") expect(closedWith).toBe(1003);
          if (f.kind === "big") expect(closedWith).toBe(1009);
          if (f.kind === "bad-utf8") expect(closedWith).toBe(1007);
        }),
        { numRuns: fuzzRuns(200) },
      );

      stopped = true;
      await wellBehaved;
      expect(goodCalls).toBeGreaterThan(0);
      expect(await good.call(LabDescriptor, "ask", [probe, "after"])).toBe("ok:AFTER");
      await good.close();
      await Promise.all(clients.map((c) => c.close()));
      for (const c of clients) {
        for (const text of c.frames) expect(text).not.toContain(SECRET);
        for (const message of c.messages) expectWellFormed(message);
      }
    },
    fuzzTimeout(30_000),
  );

  test("text that is not JSON answers -32700; a JSON scalar answers -32600; both with id null", async () => {
    const client = new RawClient(running.wsUrl);
    await client.opened;
    client.send("{not json");
    expect(await client.next()).toMatchObject({ id: null, error: { code: -32700 } });
    client.send("42");
    expect(await client.next((m) => m.error?.code !== -32700)).toMatchObject({
      id: null,
      error: { code: -32600 },
    });
    await client.close();
  });

  test(
    "random bytes after the handshake or instead of HTTP: the socket is dropped, the server stays up",
    async () => {
      const good = new RawClient(running.wsUrl);
      await good.opened;
      await fc.assert(
        fc.asyncProperty(
          fc.boolean(),
          fc.uint8Array({ minLength: 1, maxLength: 64 }),
          async (upgrade, bytes) => {
            const socket = await openTcp(running.port);
            if (upgrade) {
              socket.write(
                "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
                  "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
              );
            }
            socket.write(bytes);
            // Ending our side: the server must finish with this socket too, not keep it.
            socket.end();
            await new Promise<void>((resolve) => socket.on("close", () => resolve()));
            const n = sentinel++;
            expect((await good.request(`tcp-${n}`, "lab.Lab.echo", { n })).result).toBe(n);
          },
        ),
        // Capped: each case is a TCP connection, and ports in TIME_WAIT are finite.
        { numRuns: Math.min(fuzzRuns(40), 5000) },
      );
      await good.close();
    },
    fuzzTimeout(30_000),
  );
});

function openTcp(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => resolve(socket));
    socket.on("error", reject);
    socket.resume();
  });
}
