/**
 * The service of the scale-out suites, declared the way generated code would be: a feed
 * whose listeners join named cluster groups and can be called back from any node by
 * reference.
 *
 *   callback Listener { oneway item(n: int32); answer(question: string): string; }
 *   interface Feed {
 *     join(group: string, listener: Listener): string;   // the listener's ref, as JSON
 *     hold(listener: Listener): string;                  // its ref, in no group
 *     publish(group: string, from: int32, count: int32): int32;
 *     size(group: string): int32;                        // clusterSize()
 *     ask(ref: string, question: string): string;        // awaited, on any node
 *     tell(ref: string, n: int32);                        // oneway, on any node
 *   }
 */
import { defineCallback, defineService, t, type RpcServer } from "@svcgen/runtime";
import type { CallbackProxy, CallbackRef } from "@svcgen/runtime";

export interface Listener {
  item(n: number): void;
  answer(question: string): string;
}

export const ListenerDescriptor = defineCallback<Listener>({
  name: "scale.Listener",
  contractHash: "b".repeat(64),
  methods: [
    { name: "item", oneway: true, params: [{ name: "n", schema: t.int32 }] },
    { name: "answer", params: [{ name: "question", schema: t.string }], returns: t.string },
  ],
});

export const FeedDescriptor = defineService({
  name: "scale.Feed",
  contractHash: "c".repeat(64),
  methods: [
    {
      name: "join",
      params: [
        { name: "group", schema: t.string },
        { name: "listener", callback: ListenerDescriptor },
      ],
      returns: t.string,
    },
    {
      name: "hold",
      params: [{ name: "listener", callback: ListenerDescriptor }],
      returns: t.string,
    },
    {
      name: "publish",
      params: [
        { name: "group", schema: t.string },
        { name: "from", schema: t.int32 },
        { name: "count", schema: t.int32 },
      ],
      returns: t.int32,
    },
    { name: "size", params: [{ name: "group", schema: t.string }], returns: t.int32 },
    {
      name: "ask",
      params: [
        { name: "ref", schema: t.string },
        { name: "question", schema: t.string },
      ],
      returns: t.string,
    },
    {
      name: "tell",
      params: [
        { name: "ref", schema: t.string },
        { name: "n", schema: t.int32 },
      ],
    },
  ],
});

export abstract class FeedBase {
  static readonly descriptor = FeedDescriptor;
}

export class Feed extends FeedBase {
  constructor(readonly server: RpcServer) {
    super();
  }

  join(group: string, listener: CallbackProxy<Listener>): string {
    this.server.group(group, ListenerDescriptor).add(listener);
    return JSON.stringify(listener.ref);
  }

  hold(listener: CallbackProxy<Listener>): string {
    return JSON.stringify(listener.ref);
  }

  publish(group: string, from: number, count: number): number {
    const feed = this.server.group(group, ListenerDescriptor);
    let reached = 0;
    for (let n = from; n < from + count; n++) reached += feed.broadcast.item(n);
    return reached;
  }

  size(group: string): Promise<number> {
    return this.server.group(group, ListenerDescriptor).clusterSize();
  }

  ask(ref: string, question: string): Promise<string> {
    return this.server.callback(JSON.parse(ref) as CallbackRef<Listener>).answer(question);
  }

  async tell(ref: string, n: number): Promise<void> {
    await this.server.callback(JSON.parse(ref) as CallbackRef<Listener>).item(n);
  }
}
