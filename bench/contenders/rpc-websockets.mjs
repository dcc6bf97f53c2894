/**
 * rpc-websockets: JSON-RPC 2.0 over `ws` with server events for push. Its events go to
 * every client subscribed to them, which is what push and broadcast need here.
 */
import { Client, Server } from "rpc-websockets";
import { listenHttp } from "./http-server.mjs";
import { benchRows } from "./rows.mjs";

export async function startServer() {
  const { server: httpServer, port } = await listenHttp();
  const server = new Server({ server: httpServer, perMessageDeflate: false });
  let subscribers = 0;
  server.register("add", ([a, b]) => a + b);
  server.register("rows", ([count]) => benchRows(count));
  server.event("event");
  server.register("push", ([count, payload]) => {
    for (let seq = 0; seq < count; seq++) server.emit("event", { seq, payload });
    return count;
  });
  server.register("subscribe", () => {
    subscribers++;
    return null;
  });
  server.register("broadcast", ([seq, payload]) => {
    server.emit("event", { seq, payload });
    return subscribers;
  });
  return {
    port,
    close: async () => {
      await server.close();
      httpServer.closeAllConnections();
      await new Promise((resolve) => httpServer.close(resolve));
    },
  };
}

export async function connect(port) {
  const client = new Client(`ws://127.0.0.1:${port}/`, { autoconnect: true, reconnect: false });
  await new Promise((resolve, reject) => {
    client.once("open", resolve);
    client.once("error", reject);
  });
  let onEvent = () => {};
  let subscribed = false;
  // One object parameter arrives as one argument in every version of the client.
  client.on("event", (event) => onEvent(event.seq, event.payload));
  const listen = async (handler) => {
    onEvent = handler;
    if (!subscribed) await client.subscribe("event");
    subscribed = true;
  };
  return {
    add: (a, b) => client.call("add", [a, b]),
    rows: (count) => client.call("rows", [count]),
    push: async (count, payload, handler) => {
      await listen(handler);
      return client.call("push", [count, payload]);
    },
    subscribe: async (handler) => {
      await listen(handler);
      return client.call("subscribe", []);
    },
    broadcast: (seq, payload) => client.call("broadcast", [seq, payload]),
    close: async () => client.close(),
  };
}
