/** Load shapes shared by the request/response scenarios, written once for every contender. */
import { LatencyRecorder } from "./stats.mjs";

/** `calls` sequential `add` calls on one client; returns ops/s and latency percentiles. */
export async function sequentialCalls(client, { warmup, calls }) {
  for (let i = 0; i < warmup; i++) await client.add(i, 1);
  const latency = new LatencyRecorder();
  const started = performance.now();
  for (let i = 0; i < calls; i++) {
    const before = performance.now();
    const sum = await client.add(i, 1);
    latency.record(performance.now() - before);
    if (sum !== i + 1) throw new Error(`add(${i}, 1) answered ${sum}`);
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    value: calls / seconds,
    extra: { p50: latency.percentile(50), p99: latency.percentile(99) },
  };
}

/**
 * `total` calls spread over `clients`, each keeping `inFlight` calls outstanding (a new call
 * starts as soon as one answers); returns ops/s.
 */
export async function callsInFlight(clients, { inFlight, warmup, total }) {
  await Promise.all(clients.map((client) => keepBusy(client, inFlight, warmup)));
  const started = performance.now();
  const perClient = Math.ceil(total / clients.length);
  await Promise.all(clients.map((client) => keepBusy(client, inFlight, perClient)));
  const seconds = (performance.now() - started) / 1000;
  return { value: (perClient * clients.length) / seconds };
}

async function keepBusy(client, inFlight, calls) {
  let started = 0;
  const lane = async () => {
    while (started < calls) {
      const i = started++;
      const sum = await client.add(i, 1);
      if (sum !== i + 1) throw new Error(`add(${i}, 1) answered ${sum}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, calls) }, lane));
}

/** Opens `count` clients, a batch at a time (a burst of thousands of handshakes overflows backlogs). */
export async function connectMany(contender, port, count, options, batch = 200) {
  const clients = [];
  for (let i = 0; i < count; i += batch) {
    const size = Math.min(batch, count - i);
    clients.push(
      ...(await Promise.all(Array.from({ length: size }, () => contender.connect(port, options)))),
    );
  }
  return clients;
}

export async function closeAll(clients) {
  await Promise.all(clients.map((client) => client.close()));
}
