/**
 * socket.io 4 with acknowledgements, WebSocket transport only (no long-polling upgrade
 * dance), per-message deflate off, as its performance guide recommends.
 */
import { Server } from "socket.io";
import { io as connectSocket } from "socket.io-client";
import { listenHttp } from "./http-server.mjs";
import { benchRows } from "./rows.mjs";

export function startServer() {
  return startServerWith({});
}

export function connect(port) {
  return connectWith(port, {});
}

/** `options.parser`: socket.io's packet parser on both ends (its default when absent). */
export async function startServerWith({ parser }) {
  const { server, port } = await listenHttp();
  const io = new Server(server, {
    transports: ["websocket"],
    perMessageDeflate: false,
    serveClient: false,
    ...(parser && { parser }),
  });
  io.on("connection", (socket) => {
    socket.on("add", (a, b, ack) => ack(a + b));
    socket.on("rows", (count, ack) => ack(benchRows(count)));
    socket.on("push", (count, payload, ack) => {
      for (let seq = 0; seq < count; seq++) socket.emit("event", seq, payload);
      ack(count);
    });
    socket.on("subscribe", (ack) => {
      socket.join("subscribers");
      ack();
    });
    socket.on("broadcast", (seq, payload, ack) => {
      // A room broadcast encodes the packet once for all members.
      io.to("subscribers").emit("event", seq, payload);
      ack(io.of("/").adapter.rooms.get("subscribers")?.size ?? 0);
    });
  });
  return {
    port,
    close: async () => {
      io.disconnectSockets(true);
      await new Promise((resolve) => io.close(resolve));
    },
  };
}

export async function connectWith(port, { parser }) {
  const socket = connectSocket(`http://127.0.0.1:${port}`, {
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
    ...(parser && { parser }),
  });
  await new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
  let onEvent = () => {};
  socket.on("event", (seq, payload) => onEvent(seq, payload));
  const emit = (...args) => new Promise((resolve) => socket.emit(...args, resolve));
  return {
    add: (a, b) => emit("add", a, b),
    rows: (count) => emit("rows", count),
    push: (count, payload, handler) => {
      onEvent = handler;
      return emit("push", count, payload);
    },
    subscribe: (handler) => {
      onEvent = handler;
      return emit("subscribe");
    },
    broadcast: (seq, payload) => emit("broadcast", seq, payload),
    close: async () => {
      socket.disconnect();
    },
  };
}
