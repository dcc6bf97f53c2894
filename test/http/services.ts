/**
 * Test services written the way generated code declares them (docs/architecture.md): schemas
 * with `t`, descriptors, an error class with a static descriptor, abstract bases.
 */
import { RpcError, defineCallback, defineError, defineService, t } from "@svcgen/runtime";
import type { CallContext, CallbackProxy, JsonValue, TypedRecordSchema } from "@svcgen/runtime";

export interface Point {
  x: number;
  y: number;
  label?: string;
}
export const PointSchema = t.record<Point>("shop.Point", () => ({
  x: t.int32,
  y: t.int32,
  label: t.optional(t.string),
}));

export interface Tree {
  value: bigint;
  children: Tree[];
}
export const TreeSchema: TypedRecordSchema<Tree> = t.record<Tree>("shop.Tree", () => ({
  value: t.int64,
  children: t.list(TreeSchema),
}));

export type Color = "Red" | "Green";
export const ColorSchema = t.enum<Color>("shop.Color", ["Red", "Green"]);

export type Shape = { case: "circle"; value: number } | { case: "label"; value: string };
export const ShapeSchema = t.union<Shape>("shop.Shape", () => ({
  circle: t.float64,
  label: t.string,
}));

export class ItemNotFound extends RpcError {
  static readonly descriptor = defineError<ItemNotFound, { id: string }>({
    name: "shop.ItemNotFound",
    status: 404,
    fields: () => ({ id: t.string }),
    create: (fields, message) => new ItemNotFound(fields, message),
  });
  readonly id: string;
  constructor(fields: { id: string }, message?: string) {
    super(ItemNotFound.descriptor, fields, message);
    this.id = fields.id;
  }
}

/** Declared in the IDL, but not in the `throws` of the method that throws it. */
export class OutOfStock extends RpcError {
  static readonly descriptor = defineError<OutOfStock, { sku: string }>({
    name: "shop.OutOfStock",
    status: 409,
    fields: () => ({ sku: t.string }),
    create: (fields, message) => new OutOfStock(fields, message),
  });
  constructor(fields: { sku: string }, message?: string) {
    super(OutOfStock.descriptor, fields, message);
  }
}

export interface Ticker {
  tick(n: number): void;
}
export const TickerDescriptor = defineCallback<Ticker>({
  name: "shop.Ticker",
  contractHash: "b".repeat(64),
  methods: [{ name: "tick", oneway: true, params: [{ name: "n", schema: t.int32 }] }],
});

export const ShopDescriptor = defineService({
  name: "shop.Shop",
  contractHash: "a".repeat(64),
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
    { name: "echo", params: [{ name: "point", schema: PointSchema }], returns: PointSchema },
    {
      name: "find",
      params: [{ name: "id", schema: t.string }],
      returns: PointSchema,
      throws: [ItemNotFound.descriptor],
    },
    { name: "reset", params: [] },
    { name: "crash", params: [], returns: t.string },
    { name: "undeclared", params: [], returns: t.string, throws: [ItemNotFound.descriptor] },
    { name: "slow", params: [{ name: "ms", schema: t.int32 }], returns: t.string },
    { name: "watch", params: [{ name: "ticker", callback: TickerDescriptor }] },
    { name: "whoami", params: [], returns: t.json },
    {
      name: "greet",
      params: [{ name: "name", optional: true, schema: t.string }],
      returns: t.string,
    },
    {
      name: "describe",
      deprecated: "use echo",
      params: [
        { name: "tree", schema: TreeSchema },
        { name: "color", schema: ColorSchema },
        { name: "shape", schema: ShapeSchema },
        { name: "blob", optional: true, schema: t.bytes },
        { name: "at", optional: true, schema: t.timestamp },
        { name: "tags", schema: t.map(t.list(t.string)) },
      ],
      returns: t.json,
    },
  ],
});

export abstract class ShopBase {
  static readonly descriptor = ShopDescriptor;
  abstract add(a: number, b: number, ctx: CallContext): number | Promise<number>;
  abstract echo(point: Point, ctx: CallContext): Point | Promise<Point>;
  abstract find(id: string, ctx: CallContext): Point | Promise<Point>;
  abstract reset(ctx: CallContext): void | Promise<void>;
  abstract crash(ctx: CallContext): string | Promise<string>;
  abstract undeclared(ctx: CallContext): string | Promise<string>;
  abstract slow(ms: number, ctx: CallContext): string | Promise<string>;
  abstract watch(ticker: CallbackProxy<Ticker>, ctx: CallContext): void | Promise<void>;
  abstract whoami(ctx: CallContext): JsonValue | Promise<JsonValue>;
  abstract greet(name: string | undefined, ctx: CallContext): string | Promise<string>;
  abstract describe(
    tree: Tree,
    color: Color,
    shape: Shape,
    blob: Uint8Array | undefined,
    at: Date | undefined,
    tags: Record<string, string[]>,
    ctx: CallContext,
  ): JsonValue | Promise<JsonValue>;
}

/** What the tests observe of the implementation. */
export interface ShopEvents {
  resets: number;
  /** Resolved with the call's signal when `slow` starts. */
  slowStarted: ((signal: AbortSignal) => void) | undefined;
  aborted: number;
}

export class Shop extends ShopBase {
  readonly events: ShopEvents = { resets: 0, slowStarted: undefined, aborted: 0 };

  add(a: number, b: number): number {
    return a + b;
  }
  echo(point: Point): Point {
    return point;
  }
  find(id: string): Point {
    if (id === "p1") return { x: 1, y: 2, label: "one" };
    throw new ItemNotFound({ id }, `no item ${id}`);
  }
  reset(): void {
    this.events.resets++;
  }
  crash(): string {
    throw new Error("database password is hunter2");
  }
  undeclared(): string {
    throw new OutOfStock({ sku: "x" });
  }
  slow(ms: number, ctx: CallContext): Promise<string> {
    this.events.slowStarted?.(ctx.signal);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve("done"), ms);
      ctx.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        this.events.aborted++;
        resolve("aborted");
      });
    });
  }
  watch(): void {}
  whoami(ctx: CallContext): JsonValue {
    return (ctx.principal ?? null) as JsonValue;
  }
  greet(name: string | undefined): string {
    return `hello ${name ?? "nobody"}`;
  }
  describe(tree: Tree, color: Color, shape: Shape): JsonValue {
    return { depth: depth(tree), color, shape: shape.case };
  }
}

function depth(tree: Tree): number {
  return 1 + Math.max(0, ...tree.children.map(depth));
}

/** A service with per-call or per-connection instances: each counts its own calls. */
export const CounterDescriptor = defineService({
  name: "shop.Counter",
  contractHash: "c".repeat(64),
  methods: [{ name: "next", params: [], returns: t.int32 }],
});

export abstract class CounterBase {
  static readonly descriptor = CounterDescriptor;
  abstract next(ctx: CallContext): number | Promise<number>;
}

export class Counter extends CounterBase {
  #count = 0;
  next(): number {
    return ++this.#count;
  }
}
