/** Schema-checked encode/decode against the plain JSON round trip it wraps. */
export default {
  id: "codec",
  title: "Encode + decode of a nested record",
  description:
    "Round trips of an `Order` (customer record, 10 lines, tags, timestamp): svcgen " +
    "`OrderSchema.encode` → `JSON.stringify` → `JSON.parse` → `OrderSchema.decode` (validated, " +
    "Date restored) against `JSON.parse(JSON.stringify(order))` alone. In one process, no I/O.",
  unit: "ops/s",
  better: "higher",
  baseline: "json",
  transport: "none",
  contenders: ["svcgen", "json"],
  params: (quick) =>
    // A longer warmup than the network scenarios: nothing else here gives the JIT time.
    quick ? { warmupMs: 200, durationMs: 200 } : { warmupMs: 1000, durationMs: 1000 },
  async measure({ contenderName, params }) {
    const order = sampleOrder();
    const roundTrip = contenderName === "svcgen" ? await schemaRoundTrip() : jsonRoundTrip;
    roundTripsFor(params.warmupMs, roundTrip, order);
    const started = performance.now();
    const rounds = roundTripsFor(params.durationMs, roundTrip, order);
    return { value: rounds / ((performance.now() - started) / 1000) };
  },
};

/** Round trips for `durationMs`, checking each result so none can be optimized away. */
function roundTripsFor(durationMs, roundTrip, order) {
  const deadline = performance.now() + durationMs;
  let rounds = 0;
  while (performance.now() < deadline) {
    // The clock is read once per batch: reading it costs about as much as a round trip.
    for (let i = 0; i < 100; i++) {
      if (roundTrip(order).lines.length !== order.lines.length) throw new Error("lost lines");
    }
    rounds += 100;
  }
  return rounds;
}

const jsonRoundTrip = (order) => JSON.parse(JSON.stringify(order));

async function schemaRoundTrip() {
  const { OrderSchema } = await import("../contenders/bench-module.mjs");
  return (order) => OrderSchema.decode(JSON.parse(JSON.stringify(OrderSchema.encode(order))));
}

function sampleOrder() {
  return {
    id: "order-20261125-0001",
    customer: { id: 4711, name: "Ada Lovelace", email: "ada@example.org", vip: true },
    lines: Array.from({ length: 10 }, (_, i) => ({
      sku: `SKU-${1000 + i}`,
      quantity: i + 1,
      unitPrice: 9.99 + i,
    })),
    placedAt: new Date("2026-11-25T12:00:00.000Z"),
    note: "leave at the door",
    tags: ["express", "gift", "fragile"],
  };
}
