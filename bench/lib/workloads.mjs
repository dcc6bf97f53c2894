/**
 * Load shapes shared by the request/response scenarios, written once for every contender.
 * They run for a fixed time rather than a fixed count, so a slow contender does not make the
 * whole run slow: calls are started until the window closes, and the window ends when the
 * last started call has answered.
 */
import { LatencyRecorder } from "./stats.mjs";

/** Sequential `add` calls on one client; returns ops/s and latency percentiles. */
export async function sequentialCalls(client, { warmupMs, durationMs }) {
  await runFor(warmupMs, () => client.add(1, 1));
  const latency = new LatencyRecorder();
  const started = performance.now();
  const deadline = started + durationMs;
  let calls = 0;
  while (performance.now() < deadline) {
    const before = performance.now();
    const sum = await client.add(calls, 1);
    latency.record(performance.now() - before);
    if (sum !== calls + 1) throw new Error(`add(${calls}, 1) answered ${sum}`);
    calls++;
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    value: calls / seconds,
    extra: { p50: latency.percentile(50), p99: latency.percentile(99) },
  };
}

/**
 * Every client keeps `inFlight` calls outstanding (a new call starts as soon as one answers)
 * for `durationMs`; returns the ops/s of all of them together. `call(client, n)` makes the
 * n-th call and checks its answer (default: `add(n, 1)`).
 */
export async function callsInFlight(
  clients,
  { inFlight, warmupMs, durationMs },
  call = checkedAdd,
) {
  await keepAllBusy(clients, inFlight, warmupMs, call);
  const started = performance.now();
  const calls = await keepAllBusy(clients, inFlight, durationMs, call);
  return { value: calls / ((performance.now() - started) / 1000) };
}

async function checkedAdd(client, n) {
  const sum = await client.add(n, 1);
  if (sum !== n + 1) throw new Error(`add(${n}, 1) answered ${sum}`);
}

async function keepAllBusy(clients, inFlight, durationMs, call) {
  const deadline = performance.now() + durationMs;
  let calls = 0;
  const lane = async (client) => {
    while (performance.now() < deadline) await call(client, calls++);
  };
  await Promise.all(
    clients.flatMap((client) => Array.from({ length: inFlight }, () => lane(client))),
  );
  return calls;
}

async function runFor(durationMs, call) {
  const deadline = performance.now() + durationMs;
  while (performance.now() < deadline) await call();
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
