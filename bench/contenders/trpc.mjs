/**
 * tRPC v11 over its WebSocket link: applyWSSHandler on a `ws` server, wsLink +
 * createWSClient on the client; push is a subscription (an async generator).
 */
import { initTRPC } from "@trpc/server";
import { applyWSSHandler } from "@trpc/server/adapters/ws";
import { createTRPCClient, createWSClient, wsLink } from "@trpc/client";
import { WebSocket, WebSocketServer } from "ws";
import { listenHttp } from "./http-server.mjs";
import { benchRows } from "./rows.mjs";

const t = initTRPC.create();
// Inputs pass through unchecked: the other contenders do not validate either.
const anyInput = (value) => value;
const router = t.router({
  add: t.procedure.input(anyInput).query(({ input }) => input.a + input.b),
  rows: t.procedure.input(anyInput).query(({ input }) => benchRows(input.count)),
  push: t.procedure.input(anyInput).subscription(async function* ({ input }) {
    for (let seq = 0; seq < input.count; seq++) yield { seq, payload: input.payload };
  }),
});

export async function startServer() {
  const { server, port } = await listenHttp();
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  const handler = applyWSSHandler({ wss, router });
  return {
    port,
    close: async () => {
      handler.broadcastReconnectNotification();
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => wss.close(resolve));
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export async function connect(port) {
  let opened;
  const open = new Promise((resolve) => (opened = resolve));
  const wsClient = createWSClient({
    url: `ws://127.0.0.1:${port}`,
    WebSocket,
    onOpen: () => opened(),
  });
  const client = createTRPCClient({ links: [wsLink({ client: wsClient })] });
  await open;
  return {
    add: (a, b) => client.add.query({ a, b }),
    rows: (count) => client.rows.query({ count }),
    push: (count, payload, handler) =>
      new Promise((resolve, reject) => {
        client.push.subscribe(
          { count, payload },
          {
            onData: (event) => handler(event.seq, event.payload),
            onError: reject,
            // The server ending the generator reaches the client as "stopped", then complete.
            onStopped: () => resolve(count),
            onComplete: () => resolve(count),
          },
        );
      }),
    close: async () => wsClient.close(),
  };
}
