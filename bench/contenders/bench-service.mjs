/**
 * bench.svc as the svcgen generator emits it, written out in JavaScript so the bench runs
 * from .mjs without a TypeScript step: schemas built with `t`, descriptors, and the same
 * `connection.call` the generated client class makes. Keep in step with bench.svc.
 */
import { t, defineService, defineCallback } from "@svcgen/runtime";

export const CustomerSchema = t.record("bench.Customer", () => ({
  id: t.int32,
  name: t.string,
  email: t.string,
  vip: t.bool,
}));

export const OrderLineSchema = t.record("bench.OrderLine", () => ({
  sku: t.string,
  quantity: t.int32,
  unitPrice: t.float64,
}));

export const OrderSchema = t.record("bench.Order", () => ({
  id: t.string,
  customer: CustomerSchema,
  lines: t.list(OrderLineSchema),
  placedAt: t.timestamp,
  note: t.optional(t.string),
  tags: t.list(t.string),
}));

export const RowSchema = t.record("bench.Row", () => ({
  id: t.int32,
  sku: t.string,
  name: t.string,
  quantity: t.int32,
  price: t.float64,
  inStock: t.bool,
}));

export const SinkDescriptor = defineCallback({
  name: "bench.Sink",
  contractHash: "0".repeat(64),
  methods: [
    {
      name: "event",
      oneway: true,
      params: [
        { name: "seq", schema: t.int32 },
        { name: "payload", schema: t.string },
      ],
    },
  ],
});

export const BenchDescriptor = defineService({
  name: "bench.Bench",
  contractHash: "0".repeat(64),
  methods: [
    {
      name: "add",
      idempotent: true,
      params: [
        { name: "a", schema: t.float64 },
        { name: "b", schema: t.float64 },
      ],
      returns: t.float64,
    },
    {
      name: "rows",
      idempotent: true,
      params: [{ name: "count", schema: t.int32 }],
      returns: t.list(RowSchema),
    },
    {
      name: "push",
      params: [
        { name: "count", schema: t.int32 },
        { name: "payload", schema: t.string },
        { name: "sink", callback: SinkDescriptor },
      ],
      returns: t.int32,
    },
    { name: "subscribe", params: [{ name: "sink", callback: SinkDescriptor }] },
    {
      name: "broadcast",
      params: [
        { name: "seq", schema: t.int32 },
        { name: "payload", schema: t.string },
      ],
      returns: t.int32,
    },
  ],
});

export class BenchClient {
  constructor(connection) {
    this.connection = connection;
  }
  add(a, b, options) {
    return this.connection.call(BenchDescriptor, "add", [a, b], options);
  }
  rows(count, options) {
    return this.connection.call(BenchDescriptor, "rows", [count], options);
  }
  push(count, payload, sink, options) {
    return this.connection.call(BenchDescriptor, "push", [count, payload, sink], options);
  }
  subscribe(sink, options) {
    return this.connection.call(BenchDescriptor, "subscribe", [sink], options);
  }
  broadcast(seq, payload, options) {
    return this.connection.call(BenchDescriptor, "broadcast", [seq, payload], options);
  }
}

export class BenchBase {
  static descriptor = BenchDescriptor;
}
