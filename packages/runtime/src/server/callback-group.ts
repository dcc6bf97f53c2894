/**
 * A set of callback proxies to publish to: released members leave by themselves, and a
 * broadcast encodes its message once and writes the same frame text to every member.
 */
import type { JsonValue } from "../codec/schema.js";
import type { MethodDescriptor } from "../descriptors.js";
import { encodeCallbackArgs } from "./callback-codec.js";
import { callbackStateOf, type CallbackState } from "./callback-proxy.js";
import type { CallbackProxy } from "./context.js";

/**
 * `group.broadcast.message(msg)`: one function per callback method, taking that method's
 * arguments and returning how many members the frame was queued for. Only `oneway` methods
 * can be broadcast (an awaited one throws a TypeError).
 */
export type Broadcast<C> = {
  readonly [K in keyof C]: C[K] extends (...args: infer A) => unknown
    ? (...args: A) => number
    : never;
};

export class CallbackGroup<C> implements Iterable<CallbackProxy<C>> {
  readonly #members = new Map<CallbackProxy<C>, CallbackState>();
  readonly #leave = new Map<CallbackProxy<C>, () => void>();

  /** Typed broadcast to every member; see Broadcast. */
  readonly broadcast: Broadcast<C> = new Proxy({} as Broadcast<C>, {
    get: (_target, name) =>
      typeof name === "string" ? (...args: unknown[]) => this.#broadcast(name, args) : undefined,
  });

  /** Adds a member (a released proxy is ignored); returns the group. */
  add(proxy: CallbackProxy<C>): this {
    const state = callbackStateOf(proxy);
    if (state === undefined) throw new TypeError("CallbackGroup.add: not a callback proxy");
    if (state.released || this.#members.has(proxy)) return this;
    const leave = () => {
      this.#members.delete(proxy);
      this.#leave.delete(proxy);
    };
    state.watch(leave);
    this.#members.set(proxy, state);
    this.#leave.set(proxy, leave);
    return this;
  }

  /** Removes a member; true if it was one. */
  delete(proxy: CallbackProxy<C>): boolean {
    const state = this.#members.get(proxy);
    if (state === undefined) return false;
    const leave = this.#leave.get(proxy);
    if (leave) state.unwatch(leave);
    this.#members.delete(proxy);
    this.#leave.delete(proxy);
    return true;
  }

  has(proxy: CallbackProxy<C>): boolean {
    return this.#members.has(proxy);
  }

  get size(): number {
    return this.#members.size;
  }

  /** Removes every member (they stay unreleased). */
  clear(): void {
    for (const proxy of [...this.#members.keys()]) this.delete(proxy);
  }

  [Symbol.iterator](): IterableIterator<CallbackProxy<C>> {
    return this.#members.keys();
  }

  #broadcast(name: string, args: readonly unknown[]): number {
    let reached = 0;
    // Members of one group share a callback type; encode once per descriptor all the same.
    const frames = new Map<object, { prefix: string; suffix: string }>();
    // A copy: a send may overload a member's connection, which releases it mid-loop.
    for (const state of [...this.#members.values()]) {
      if (state.released) continue;
      let frame = frames.get(state.descriptor);
      if (frame === undefined) {
        frame = framePieces(onewayMethod(state, name), args);
        frames.set(state.descriptor, frame);
      }
      // Ids match ^[A-Za-z0-9_-]{1,64}$: nothing to escape, so plain concatenation is valid JSON.
      if (state.channel.sendFrame(frame.prefix + state.id + frame.suffix)) reached++;
    }
    return reached;
  }
}

function onewayMethod(state: CallbackState, name: string): MethodDescriptor {
  const method = state.descriptor.methods.get(name);
  if (method === undefined) throw new TypeError(`${state.descriptor.name} has no method ${name}`);
  if (!method.oneway) {
    throw new TypeError(`${state.descriptor.name}.${name} is not oneway: call it on each proxy`);
  }
  return method;
}

/** The `$/callback` frame text around the callback id, with the arguments encoded once. */
function framePieces(
  method: MethodDescriptor,
  args: readonly unknown[],
): { prefix: string; suffix: string } {
  const encoded: JsonValue = encodeCallbackArgs(method, args);
  return {
    prefix: '{"jsonrpc":"2.0","method":"$/callback","params":{"callback":"',
    suffix: `","method":${JSON.stringify(method.name)},"args":${JSON.stringify(encoded)}}}`,
  };
}
