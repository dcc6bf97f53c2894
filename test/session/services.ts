/**
 * The service of the session suites: a feed that streams numbered items to a subscribed
 * sink (oneway), with an awaited checkpoint every so often, and records what the server saw
 * (the proxy objects, release reasons, how often each checkpoint's promise settled).
 */
import { RpcServer, defineCallback, defineService, t } from "@svcgen/runtime";
import type { CallContext, CallbackProxy, RpcServerOptions } from "@svcgen/runtime";

export interface ItemSink {
  item(i: number): void | Promise<void>;
  checkpoint(i: number): number | Promise<number>;
  latest(key: string, value: number): void | Promise<void>;
}
export const ItemSinkDescriptor = defineCallback<ItemSink>({
  name: "feed.ItemSink",
  contractHash: "c".repeat(64),
  methods: [
    { name: "item", oneway: true, params: [{ name: "i", schema: t.int32 }] },
    { name: "checkpoint", params: [{ name: "i", schema: t.int32 }], returns: t.int32 },
    {
      name: "latest",
      oneway: true,
      conflate: "key",
      params: [
        { name: "key", schema: t.string },
        { name: "value", schema: t.int32 },
      ],
    },
  ],
});

export interface Feed {
  subscribe(sink: ItemSink): Promise<string>;
  stream(count: number, every: number): Promise<number>;
  wait(ms: number): Promise<number>;
  latest(keys: number, rounds: number): Promise<void>;
  burst(count: number): Promise<number>;
}
export const FeedDescriptor = defineService<Feed>({
  name: "feed.Feed",
  contractHash: "d".repeat(64),
  methods: [
    {
      name: "subscribe",
      resubscribe: true,
      params: [{ name: "sink", callback: ItemSinkDescriptor }],
      returns: t.string,
    },
    {
      name: "stream",
      params: [
        { name: "count", schema: t.int32 },
        { name: "every", schema: t.int32 },
      ],
      returns: t.int32,
    },
    { name: "wait", params: [{ name: "ms", schema: t.int32 }], returns: t.int32 },
    {
      name: "latest",
      params: [
        { name: "keys", schema: t.int32 },
        { name: "rounds", schema: t.int32 },
      ],
    },
    { name: "burst", params: [{ name: "count", schema: t.int32 }], returns: t.int32 },
  ],
});

export class FeedImpl {
  static readonly descriptor = FeedDescriptor;
  /** The sink of each session, by `CallContext.connection.id`. */
  readonly sinks = new Map<string, CallbackProxy<ItemSink>>();
  /** Every proxy `subscribe` was handed, in order. */
  readonly proxies: CallbackProxy<ItemSink>[] = [];
  /** Release reasons heard by the server, in order. */
  readonly releases: string[] = [];
  /** Checkpoint i → how often its promise settled. */
  readonly settled = new Map<number, number>();
  readonly checkpointErrors: unknown[] = [];

  subscribe(sink: CallbackProxy<ItemSink>, ctx: CallContext): string {
    this.sinks.set(ctx.connection!.id, sink);
    this.proxies.push(sink);
    sink.onRelease((reason) => this.releases.push(reason));
    return ctx.connection!.id;
  }

  async stream(count: number, every: number, ctx: CallContext): Promise<number> {
    const sink = this.sinks.get(ctx.connection!.id);
    if (sink === undefined) throw new Error("not subscribed");
    for (let i = 1; i <= count; i++) {
      if (i % every !== 0) {
        sink.item(i).catch(() => undefined); // a lost session is seen at the next checkpoint
        continue;
      }
      try {
        const echoed = await sink.checkpoint(i);
        if (echoed !== i) throw new Error(`checkpoint ${i} answered ${echoed}`);
        this.settled.set(i, (this.settled.get(i) ?? 0) + 1);
      } catch (error) {
        this.settled.set(i, (this.settled.get(i) ?? 0) + 1);
        this.checkpointErrors.push(error);
        throw error;
      }
    }
    return count;
  }

  async wait(ms: number): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return ms;
  }

  /** `count` oneway items at once, without waiting for anything. */
  burst(count: number, ctx: CallContext): number {
    const sink = this.sinks.get(ctx.connection!.id)!;
    for (let i = 1; i <= count; i++) sink.item(i).catch(() => undefined);
    return count;
  }

  latest(keys: number, rounds: number, ctx: CallContext): void {
    const sink = this.sinks.get(ctx.connection!.id)!;
    for (let round = 1; round <= rounds; round++) {
      for (let key = 0; key < keys; key++) sink.latest(`k${key}`, round).catch(() => undefined);
    }
  }
}

/** A client-side sink that records what arrived. */
export class RecordingSink implements ItemSink {
  readonly items: number[] = [];
  readonly checkpoints = new Map<number, number>();
  readonly latestValues = new Map<string, number[]>();

  item(i: number): void {
    this.items.push(i);
  }

  checkpoint(i: number): number {
    this.checkpoints.set(i, (this.checkpoints.get(i) ?? 0) + 1);
    this.items.push(i);
    return i;
  }

  latest(key: string, value: number): void {
    const values = this.latestValues.get(key) ?? [];
    values.push(value);
    this.latestValues.set(key, values);
  }
}

export interface FeedServer {
  readonly server: RpcServer;
  readonly feed: FeedImpl;
  readonly port: number;
  close(): Promise<void>;
}

export async function startFeed(options: RpcServerOptions = {}): Promise<FeedServer> {
  const server = new RpcServer({ logger: false, ...options });
  const feed = new FeedImpl();
  server.register(feed as never);
  const { port } = await server.listen({ port: 0, host: "127.0.0.1" });
  return { server, feed, port, close: () => server.close() };
}
