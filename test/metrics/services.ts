/** A small service for the metrics and inspector suites: calls that succeed, fail, wait and call back. */
import {
  RpcError,
  defineCallback,
  defineError,
  defineService,
  t,
  type CallbackProxy,
  type RpcServer,
} from "@svcgen/runtime";

export interface Watcher {
  tick(n: number): void | Promise<void>;
  confirm(question: string): boolean | Promise<boolean>;
}
export const WatcherDescriptor = defineCallback<Watcher>({
  name: "ops.Watcher",
  contractHash: "e".repeat(64),
  methods: [
    { name: "tick", oneway: true, params: [{ name: "n", schema: t.int32 }] },
    { name: "confirm", params: [{ name: "question", schema: t.string }], returns: t.bool },
  ],
});

export class OutOfStock extends RpcError {
  static readonly descriptor = defineError<OutOfStock, { sku: string }>({
    name: "ops.OutOfStock",
    status: 409,
    fields: () => ({ sku: t.string }),
    create: (fields, message) => new OutOfStock(fields, message),
  });
  declare readonly fields: { sku: string };
  constructor(fields: { sku: string }, message?: string) {
    super(OutOfStock.descriptor, fields, message);
  }
}

export const DeskDescriptor = defineService<unknown>({
  name: "ops.Desk",
  contractHash: "f".repeat(64),
  methods: [
    {
      name: "add",
      idempotent: true,
      params: [
        { name: "a", schema: t.int32 },
        { name: "b", schema: t.int32 },
      ],
      returns: t.int32,
    },
    {
      name: "buy",
      params: [{ name: "sku", schema: t.string }],
      throws: [OutOfStock.descriptor],
    },
    { name: "crash", params: [] },
    { name: "hold", params: [], returns: t.string },
    {
      name: "watch",
      params: [
        { name: "watcher", callback: WatcherDescriptor },
        { name: "ticks", schema: t.int32 },
        { name: "group", schema: t.string },
      ],
    },
    {
      name: "ask",
      params: [
        { name: "watcher", callback: WatcherDescriptor },
        { name: "question", schema: t.string },
      ],
      returns: t.string,
    },
  ],
});

export abstract class DeskBase {
  static readonly descriptor = DeskDescriptor;
}

/** `hold()` calls wait until `release()`; `watch` joins the named group of the server. */
export class Desk extends DeskBase {
  readonly #server: RpcServer;
  #holds: (() => void)[] = [];
  holding = 0;

  constructor(server: RpcServer) {
    super();
    this.#server = server;
  }

  add(a: number, b: number): number {
    return a + b;
  }

  buy(sku: string): void {
    throw new OutOfStock({ sku }, `${sku} is sold out`);
  }

  crash(): void {
    throw new Error("a bug in the implementation");
  }

  hold(): Promise<string> {
    this.holding++;
    return new Promise((resolve) =>
      this.#holds.push(() => {
        this.holding--;
        resolve("released");
      }),
    );
  }

  release(): void {
    for (const wake of this.#holds.splice(0)) wake();
  }

  watch(watcher: CallbackProxy<Watcher>, ticks: number, group: string): void {
    this.#server.group(group, WatcherDescriptor).add(watcher);
    for (let n = 0; n < ticks; n++) void watcher.tick(n);
  }

  async ask(watcher: CallbackProxy<Watcher>, question: string): Promise<string> {
    try {
      return String(await watcher.confirm(question));
    } catch (error) {
      return `failed:${(error as RpcError).code}`;
    }
  }
}
