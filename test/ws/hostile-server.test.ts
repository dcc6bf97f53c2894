/**
 * connectWebSocket against a server that nobody here wrote and that means harm: answers
 * and callback requests nested far past the stack's depth, malformed answers, callbacks
 * whose answers cannot be encoded. The client's process must survive all of it, and each
 * call must fail at once with a code of the spec rather than hang.
 */
import { afterEach, expect, test } from "@jest/globals";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import {
  ErrorCode,
  connectWebSocket,
  defineCallback,
  defineService,
  t,
  type JsonValue,
} from "@svcgen/runtime";

const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

interface Echo {
  echo(value: JsonValue): JsonValue;
}
const EchoDescriptor = defineCallback<Echo>({
  name: "evil.Echo",
  contractHash: "e".repeat(64),
  methods: [{ name: "echo", params: [{ name: "value", schema: t.json }], returns: t.json }],
});
const EvilDescriptor = defineService<{
  get(): Promise<JsonValue>;
  listen(echo: Echo): Promise<void>;
}>({
  name: "evil.Evil",
  contractHash: "f".repeat(64),
  methods: [
    { name: "get", params: [], returns: t.json },
    { name: "listen", params: [{ name: "echo", callback: EchoDescriptor }] },
  ],
});

let server: WebSocketServer | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A raw server: `onRequest` answers each call with the text it returns (or nothing). */
async function hostile(
  onRequest: (socket: WebSocket, message: any) => string | undefined,
): Promise<{ url: string; received: any[] }> {
  server = new WebSocketServer({ port: 0, host: "127.0.0.1", maxPayload: 8 << 20 });
  const received: any[] = [];
  server.on("connection", (socket) => {
    socket.on("message", (data) => {
      const message = JSON.parse(data.toString());
      received.push(message);
      if (typeof message.method !== "string") return;
      const answer = onRequest(socket, message);
      if (answer !== undefined) socket.send(answer);
    });
  });
  await new Promise((resolve) => server!.once("listening", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `ws://127.0.0.1:${port}`, received };
}

async function connect(url: string) {
  const connection = await connectWebSocket(url, { reconnect: false, timeoutMs: 60_000 });
  return connection;
}

test.each([101, 2_500, 100_000, 1_000_000])(
  "an answer %i levels deep fails the call with -32602 at once",
  async (depth) => {
    const { url } = await hostile(
      (_s, m) => `{"jsonrpc":"2.0","id":${m.id},"result":${nested(depth)}}`,
    );
    const connection = await connect(url);
    await expect(connection.call(EvilDescriptor, "get", [])).rejects.toMatchObject({
      code: ErrorCode.InvalidParams,
    });
    await connection.close();
  },
);

test.each([101, 2_500, 1_000_000])(
  "a $/callback request %i levels deep is answered -32602, the callback never runs",
  async (depth) => {
    let calledBack = 0;
    const { url, received } = await hostile((socket, m) => {
      if (m.method !== "evil.Evil.listen") return undefined;
      const callback = m.params.echo;
      socket.send(
        `{"jsonrpc":"2.0","id":"cb","method":"$/callback","params":{"callback":"${callback}","method":"echo","args":{"value":${nested(depth)}}}}`,
      );
      return `{"jsonrpc":"2.0","id":${m.id},"result":null}`;
    });
    const connection = await connect(url);
    await connection.call(EvilDescriptor, "listen", [{ echo: () => void calledBack++ }]);
    const deadline = Date.now() + 10_000;
    while (!received.some((m) => m.id === "cb") && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(received.find((m) => m.id === "cb")).toEqual({
      jsonrpc: "2.0",
      id: "cb",
      error: { code: ErrorCode.InvalidParams, message: "Invalid params: nested too deeply" },
    });
    expect(calledBack).toBe(0);
    await connection.close();
  },
);

test("a callback answer that cannot be encoded goes out as -32603, the client stays up", async () => {
  const { url, received } = await hostile((socket, m) => {
    if (m.method !== "evil.Evil.listen") return undefined;
    socket.send(
      `{"jsonrpc":"2.0","id":"cb","method":"$/callback","params":{"callback":"${m.params.echo}","method":"echo","args":{"value":1}}}`,
    );
    return `{"jsonrpc":"2.0","id":${m.id},"result":null}`;
  });
  const connection = await connect(url);
  // 3,000 levels: the codec manages it, JSON.stringify would overflow the stack.
  let deep: JsonValue = [];
  for (let i = 0; i < 3_000; i++) deep = [deep];
  await connection.call(EvilDescriptor, "listen", [{ echo: () => deep }]);
  const deadline = Date.now() + 10_000;
  while (!received.some((m) => m.id === "cb") && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  expect(received.find((m) => m.id === "cb")).toEqual({
    jsonrpc: "2.0",
    id: "cb",
    error: { code: ErrorCode.InternalError, message: "Internal error" },
  });
  await connection.close();
});

test.each([
  ["a string code", (id: number) => ({ jsonrpc: "2.0", id, error: { code: "x", message: "m" } })],
  [
    "both result and error",
    (id: number) => ({ jsonrpc: "2.0", id, result: 1, error: { code: 1, message: "m" } }),
  ],
  ["neither", (id: number) => ({ jsonrpc: "2.0", id })],
] as const)("a malformed answer (%s) fails the call at once with -32603", async (_name, answer) => {
  const { url } = await hostile((_s, m) => JSON.stringify(answer(m.id)));
  const connection = await connect(url);
  await expect(connection.call(EvilDescriptor, "get", [])).rejects.toMatchObject({
    code: ErrorCode.InternalError,
  });
  await connection.close();
});
