/**
 * The floor for WebSocket scenarios: `ws` on both ends with JSON-RPC 2.0 written by hand
 * (no schemas, no validation, no callback registry), configured for speed.
 */
import { WebSocket, WebSocketServer } from "ws";
import { listenHttp } from "./http-server.mjs";
import { benchRows } from "./rows.mjs";

export async function startServer() {
  const subscribers = new Set();
  const { server, port } = await listenHttp();
  const wss = new WebSocketServer({ server, perMessageDeflate: false, clientTracking: true });
  wss.on("connection", (socket) => {
    socket.on("close", () => subscribers.delete(socket));
    socket.on("message", (data) => {
      const { id, method, params } = JSON.parse(data.toString());
      let result = null;
      if (method === "add") result = params.a + params.b;
      else if (method === "rows") result = benchRows(params.count);
      else if (method === "push") {
        for (let seq = 0; seq < params.count; seq++) {
          socket.send(
            JSON.stringify({
              jsonrpc: "2.0",
              method: "event",
              params: { seq, payload: params.payload },
            }),
          );
        }
        result = params.count;
      } else if (method === "subscribe") subscribers.add(socket);
      else if (method === "broadcast") {
        // Encoded once, sent to everyone: what a hand-written fan-out does.
        const frame = JSON.stringify({ jsonrpc: "2.0", method: "event", params });
        for (const subscriber of subscribers) subscriber.send(frame);
        result = subscribers.size;
      }
      socket.send(JSON.stringify({ jsonrpc: "2.0", id, result }));
    });
  });
  return {
    port,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => wss.close(resolve));
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export async function connect(port) {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, { perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  const pending = new Map();
  let nextId = 1;
  let onEvent = () => {};
  socket.on("message", (data) => {
    const message = JSON.parse(data.toString());
    if (message.id === undefined) onEvent(message.params.seq, message.params.payload);
    else {
      pending.get(message.id)?.(message.result);
      pending.delete(message.id);
    }
  });
  const call = (method, params) =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      socket.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
    });
  return {
    add: (a, b) => call("add", { a, b }),
    rows: (count) => call("rows", { count }),
    push: (count, payload, handler) => {
      onEvent = handler;
      return call("push", { count, payload });
    },
    subscribe: (handler) => {
      onEvent = handler;
      return call("subscribe", {});
    },
    broadcast: (seq, payload) => call("broadcast", { seq, payload }),
    close: async () => {
      const closed = new Promise((resolve) => socket.once("close", resolve));
      socket.close();
      await closed;
    },
  };
}
