/**
 * Type-level tests of the generated code: correct usage compiles, misuse is an error.
 * Compiled (never run) by test/generate/compile-generated.test.ts; an unused
 * `@ts-expect-error` fails that test.
 */
import type { CallContext, CallbackProxy, Connection } from "@svcgen/runtime";
import { CalculatorBase, CalculatorClient, DivisionByZero } from "../../../generated/calculator.js";
import type { Calculator } from "../../../generated/calculator.js";
import { ChatRoomClient, ChatRoomBase, NameTaken } from "../../../generated/chat.js";
import type { ChatMember, Message } from "../../../generated/chat.js";
import {
  Color,
  EverythingClient,
  EverythingBase,
  ExprSchema,
  NotFound,
} from "../../../generated/features/everything.js";
import type {
  Expr,
  Hostile,
  Payload,
  Sample,
  TreeNode,
  Watcher,
} from "../../../generated/features/everything.js";
import type { Money } from "../../../generated/features/common.js";

declare const connection: Connection;

// --- Clients -------------------------------------------------------------------------------

export async function callCalculator(): Promise<number> {
  const calculator: Calculator = new CalculatorClient(connection);
  const sum: number = await calculator.add(1, 2);
  const quotient = await calculator.divide(sum, 2, { timeoutMs: 100 });
  const count: bigint = await calculator.callCount();
  // @ts-expect-error wrong parameter type
  await calculator.add("1", 2);
  // @ts-expect-error missing parameter
  await calculator.divide(1);
  // @ts-expect-error a method that does not exist
  await calculator.multiply(1, 2);
  // @ts-expect-error the result is a number, not a string
  const wrong: string = await calculator.sum([1, 2]);
  return quotient + Number(count) + wrong.length;
}

export async function joinChat(): Promise<string[]> {
  const room = new ChatRoomClient(connection);
  const member: ChatMember = {
    message(message: Message) {
      void message.sentAt.getTime();
    },
    joined() {},
    async left(name, reason) {
      void name.length;
      void reason.length;
    },
  };
  const names = await room.join("ada", member);
  // @ts-expect-error a non-callback object where a callback is expected
  await room.join("ada", { message: 1 });
  // @ts-expect-error a callback is required
  await room.join("ada");
  await room.send("hello", { signal: AbortSignal.timeout(1000) });
  return names;
}

export async function callEverything(sample: Sample, tree: TreeNode): Promise<void> {
  const client = new EverythingClient(connection);
  const echoed: Sample = await client.echo(sample);
  const found: Payload[] = await client.find("k");
  await client.find("k", 3, Color.Green);
  await client.find("k", undefined, "Lime");
  // @ts-expect-error not a member of Color
  await client.find("k", 3, "Blue");
  const watcher: Watcher = {
    changed(key: string, value: Payload) {
      if (value.case === "sample") void value.value.big;
      void key;
    },
    approve: async () => true,
    flush() {},
    delete(constructor, __proto__) {
      void constructor.length;
      void __proto__?.length;
    },
  };
  await client.watch("prefix", watcher, tree);
  const byKey: Record<string, Expr> = await client.compare(watcher, watcher);
  const json = await client.raw(new Uint8Array([1]), new Date(), 10n);
  // @ts-expect-error int64 is a bigint
  await client.raw(new Uint8Array([1]), new Date(), 10);
  // Hostile method names are ordinary methods.
  const made: string = await client.constructor("x", 1);
  const proto: string = await client.__proto__("p");
  const text: string = await client.toString();
  void [echoed, found, byKey, json, made, proto, text];
}

// --- Values --------------------------------------------------------------------------------

export function values(money: Money): Sample {
  const expr: Expr = { case: "sum", value: [{ case: "number", value: 1 }] };
  // @ts-expect-error a case's value has the case's type
  const bad: Expr = { case: "number", value: "1" };
  void ExprSchema.encode(expr);
  void bad;
  return {
    flag: true,
    small: 1,
    big: 2n,
    ratio: 0.5,
    label: "l",
    blob: new Uint8Array(),
    at: new Date(),
    extra: { any: ["json", 1, null] },
    matrix: [[1]],
    byName: { a: "Red" },
    nested: { a: { b: [1n] } },
    price: money,
  };
}

export function hostileRecord(): Hostile {
  return {
    delete: "d",
    class: 1,
    constructor: "c",
    __proto__: "p",
    map: {},
    interface: [],
  };
}

// --- Errors --------------------------------------------------------------------------------

export function errors(): Error[] {
  const notFound = new NotFound({ key: "k" }, "no such key");
  const key: string = notFound.key;
  // @ts-expect-error fields are required
  new NotFound({});
  void key;
  return [notFound, new DivisionByZero({ dividend: 1 }), new NameTaken({ name: "n" })];
}

// --- Servers -------------------------------------------------------------------------------

export class Calc extends CalculatorBase {
  override add(a: number, b: number): number {
    return a + b;
  }
  override divide(a: number, b: number, ctx: CallContext): number {
    if (b === 0) throw new DivisionByZero({ dividend: a });
    void ctx.transport;
    return a / b;
  }
  override async sum(values: number[]): Promise<number> {
    return values.reduce((x, y) => x + y, 0);
  }
  // @ts-expect-error int64 results are bigint
  override callCount(): number {
    return 1;
  }
}

export class Room extends ChatRoomBase {
  override join(name: string, member: CallbackProxy<ChatMember>, ctx: CallContext): string[] {
    void member.joined(name);
    member.onRelease(() => {});
    void ctx;
    return [];
  }
  override send(): void {}
  override async leave(): Promise<void> {}
  override members(): string[] {
    return [];
  }
}

// @ts-expect-error an abstract method is not implemented
export class Incomplete extends CalculatorBase {
  override add(a: number, b: number): number {
    return a + b;
  }
}

export abstract class PartialEverything extends EverythingBase {
  override watch(
    prefix: string,
    watcher: CallbackProxy<Watcher>,
    tree: TreeNode | undefined,
    ctx: CallContext,
  ): string {
    void watcher.flush();
    void tree;
    void ctx;
    return prefix;
  }
  override ["constructor"](delete_: string, class_: number | undefined): string {
    return `${delete_}${class_ ?? 0}`;
  }
}
