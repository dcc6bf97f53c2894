import { closeAll, connectMany } from "../lib/workloads.mjs";
import { median } from "../lib/stats.mjs";

/** One event to many subscribers: what a chat room or a dashboard does all day. */
export default {
  id: "fanout-1000",
  title: "One event to 1,000 subscribed clients",
  description:
    "1,000 connections subscribe; a separate connection calls `broadcast`, and the time until " +
    "every subscriber has the event is taken. The median over several broadcasts is reported " +
    "(svcgen sends through a CallbackGroup).",
  unit: "ms",
  better: "lower",
  baseline: "raw-ws",
  transport: "ws",
  contenders: ["svcgen", "raw-ws", "rpc-websockets", "socket.io", "trpc", "grpc"],
  unsupported: {
    trpc: "not run: no broadcast group written for tRPC",
  },
  params: (quick) =>
    quick
      ? { subscribers: 200, warmup: 1, rounds: 3 }
      : { subscribers: 1000, warmup: 3, rounds: 15 },
  async measure({ contender, port, params }) {
    const subscribers = await connectMany(contender, port, params.subscribers, { transport: "ws" });
    const control = await contender.connect(port, { transport: "ws" });
    try {
      let round = -1;
      let waiting = 0;
      let allReceived = () => {};
      await Promise.all(
        subscribers.map((subscriber) =>
          subscriber.subscribe((seq) => {
            if (seq === round && --waiting === 0) allReceived();
          }),
        ),
      );
      const times = [];
      for (round = 0; round < params.warmup + params.rounds; round++) {
        waiting = subscribers.length;
        const received = new Promise((resolve) => (allReceived = resolve));
        const started = performance.now();
        await Promise.all([received, control.broadcast(round, "tick")]);
        if (round >= params.warmup) times.push(performance.now() - started);
      }
      return { value: median(times) };
    } finally {
      await closeAll([control, ...subscribers]);
    }
  },
};
