/** Server-to-client push: how fast the server can call one client back. */
export default {
  id: "callback-push",
  title: "Server pushes oneway callbacks to one client",
  description:
    "The client calls `push(count, sink)`; the server calls `sink.event(seq, payload)` " +
    "`count` times without waiting for the client. Measured from the call until the client " +
    "has received the last event.",
  unit: "msgs/s",
  better: "higher",
  baseline: "raw-ws",
  transport: "ws",
  contenders: [
    "svcgen",
    "svcgen-sessions",
    "svcgen-msgpack",
    "svcgen-plain",
    "raw-ws",
    "rpc-websockets",
    "socket.io",
    "trpc",
    "grpc",
  ],
  params: (quick) => (quick ? { warmup: 1000, count: 10000 } : { warmup: 10000, count: 100000 }),
  async measure({ contender, port, params }) {
    const client = await contender.connect(port, { transport: "ws" });
    try {
      await receiveAll(client, params.warmup);
      const started = performance.now();
      await receiveAll(client, params.count);
      return { value: params.count / ((performance.now() - started) / 1000) };
    } finally {
      await client.close();
    }
  },
};

/** Resolves once `count` events arrived, in order, and the push call answered. */
async function receiveAll(client, count) {
  let received = 0;
  let resolveAll;
  const all = new Promise((resolve) => (resolveAll = resolve));
  const answered = client.push(count, "x".repeat(32), (seq) => {
    if (seq !== received) throw new Error(`event ${seq} arrived as number ${received}`);
    if (++received === count) resolveAll();
  });
  await Promise.all([all, answered]);
}
