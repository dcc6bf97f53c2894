/**
 * svcgen: RpcServer (REST and WebSocket on one port) serving an implementation of the
 * generated BenchBase, and the generated BenchClient over connectWebSocket or connectHttp.
 */
import { CallbackGroup, RpcServer, connectHttp, connectWebSocket } from "@svcgen/runtime";
import { BenchBase, BenchClient } from "./bench-module.mjs";
import { benchRows } from "./rows.mjs";

class BenchService extends BenchBase {
  subscribers = new CallbackGroup();

  add(a, b) {
    return a + b;
  }

  rows(count) {
    return benchRows(count);
  }

  async push(count, payload, sink) {
    // Oneway calls are queued in order; awaiting the last one is enough to know all are.
    let queued;
    for (let seq = 0; seq < count; seq++) queued = sink.event(seq, payload);
    await queued;
    return count;
  }

  subscribe(sink) {
    this.subscribers.add(sink);
  }

  broadcast(seq, payload) {
    return this.subscribers.broadcast.event(seq, payload);
  }
}

export async function startServer() {
  const server = new RpcServer({
    logger: false,
    // callback-push queues 100,000 events at once (~12 MB of frames), close to the 16 MiB
    // slow-consumer default; raw ws has no such limit, so lift it for the comparison.
    limits: { maxBufferedBytes: 256 * 1024 * 1024 },
  });
  server.register(new BenchService());
  const address = await server.listen({ port: 0, host: "127.0.0.1" });
  return { port: address.port, close: () => server.close() };
}

/** The client as `connectWebSocket` opens it by default: a session with coalesced frames. */
export function connect(port, options) {
  return connectWith(port, options, { sessions: true, batch: true });
}

/**
/**
 * `sessions: false` is a plain connection (no reconnect, hence no session, hence one message
 * per frame); `true` asks for a session (seq, acks, replay buffer) as `connectWebSocket` does
 * by default, and `batch` for coalesced frames in it (also the default). `encoding` is the
 * client's option: "json" (the default) or "msgpack".
 */
export async function connectWith(
  port,
  { transport },
  { sessions, batch = false, encoding = "json" },
) {
  const connection =
    transport === "http"
      ? connectHttp(`http://127.0.0.1:${port}`)
      : await connectWebSocket(`ws://127.0.0.1:${port}/ws`, {
          reconnect: sessions ? { maxAttempts: 0 } : false,
          batch,
          encoding,
        });
  const client = new BenchClient(connection);
  let onEvent = () => {};
  // One callback object per connection: passing it again reuses its id on the server.
  const sink = { event: (seq, payload) => onEvent(seq, payload) };
  return {
    add: (a, b) => client.add(a, b),
    rows: (count) => client.rows(count),
    push: (count, payload, handler) => {
      onEvent = handler;
      return client.push(count, payload, sink);
    },
    subscribe: (handler) => {
      onEvent = handler;
      return client.subscribe(sink);
    },
    broadcast: (seq, payload) => client.broadcast(seq, payload),
    close: () => connection.close(),
  };
}
