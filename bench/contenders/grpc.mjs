/**
 * @grpc/grpc-js with @grpc/proto-loader: unary calls for request/response, server streaming
 * for push and subscribe. Each client gets its own channel (its own HTTP/2 connection).
 */
import grpc from "@grpc/grpc-js";
import protoLoader from "@grpc/proto-loader";
import { fileURLToPath } from "node:url";
import { benchRows } from "./rows.mjs";

const protoPath = fileURLToPath(new URL("../bench.proto", import.meta.url));
const { bench } = grpc.loadPackageDefinition(
  protoLoader.loadSync(protoPath, { keepCase: true, defaults: true }),
);

export async function startServer() {
  const server = new grpc.Server();
  const subscribers = new Set();
  server.addService(bench.Bench.service, {
    Add: (call, callback) => callback(null, { sum: call.request.a + call.request.b }),
    Rows: (call, callback) => callback(null, { rows: benchRows(call.request.count) }),
    Push: (call) => {
      const { count, payload } = call.request;
      for (let seq = 0; seq < count; seq++) call.write({ seq, payload });
      call.end();
    },
    Subscribe: (call) => {
      subscribers.add(call);
      call.on("cancelled", () => subscribers.delete(call));
      // Headers now, so the client knows it is subscribed before any event.
      call.sendMetadata(new grpc.Metadata());
    },
    Broadcast: (call, callback) => {
      for (const subscriber of subscribers) subscriber.write(call.request);
      callback(null, { count: subscribers.size });
    },
  });
  const port = await new Promise((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { port, close: async () => server.forceShutdown() };
}

export async function connect(port) {
  const client = new bench.Bench(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
    "grpc.use_local_subchannel_pool": 1,
  });
  await new Promise((resolve, reject) =>
    client.waitForReady(Date.now() + 10_000, (error) => (error ? reject(error) : resolve())),
  );
  const streams = [];
  const stream = (call, handler) => {
    streams.push(call);
    call.on("data", (event) => handler(event.seq, event.payload));
    call.on("error", () => {});
    return call;
  };
  return {
    add: (a, b) =>
      new Promise((resolve, reject) =>
        client.Add({ a, b }, (error, reply) => (error ? reject(error) : resolve(reply.sum))),
      ),
    rows: (count) =>
      new Promise((resolve, reject) =>
        client.Rows({ count }, (error, reply) => (error ? reject(error) : resolve(reply.rows))),
      ),
    push: (count, payload, handler) =>
      new Promise((resolve) => stream(client.Push({ count, payload }), handler).on("end", resolve)),
    subscribe: (handler) =>
      new Promise((resolve) => stream(client.Subscribe({}), handler).once("metadata", resolve)),
    broadcast: (seq, payload) =>
      new Promise((resolve, reject) =>
        client.Broadcast({ seq, payload }, (error, reply) =>
          error ? reject(error) : resolve(reply.count),
        ),
      ),
    close: async () => {
      for (const call of streams) call.cancel();
      client.close();
    },
  };
}
