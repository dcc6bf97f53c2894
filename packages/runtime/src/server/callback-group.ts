/**
 * A set of callback proxies to publish to: released members leave by themselves, and a
 * broadcast encodes its message once and writes the same frame text to every member.
 */
import type { JsonValue } from "../codec/schema.js";
import type { MethodDescriptor } from "../descriptors.js";
import { stringifyJson } from "../protocol/json-text.js";
import { encodeCallbackArgs } from "./callback-codec.js";
import {
  callbackStateOf,
  memberReleased,
  type CallbackState,
  type ReleaseWatcher,
} from "./callback-proxy.js";
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

export class CallbackGroup<C> implements Iterable<CallbackProxy<C>>, ReleaseWatcher {
  readonly #members = new Map<CallbackProxy<C>, CallbackState>();

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
    state.watch(this);
    this.#members.set(proxy, state);
    return this;
  }

  /** Removes a member; true if it was one. */
  delete(proxy: CallbackProxy<C>): boolean {
    const state = this.#members.get(proxy);
    if (state === undefined) return false;
    state.unwatch(this);
    this.#members.delete(proxy);
    return true;
  }

  /** A member was released: it leaves. */
  [memberReleased](state: CallbackState): void {
    this.#members.delete(state.proxy as CallbackProxy<C>);
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
    const frames = new Map<object, FramePieces>();
    // A copy: a send may overload a member's connection, which releases it mid-loop.
    for (const state of [...this.#members.values()]) {
      if (state.released) continue;
      let frame = frames.get(state.descriptor);
      if (frame === undefined) {
        frame = framePieces(onewayMethod(state, name), args, state.channel.maxDepth);
        frames.set(state.descriptor, frame);
      }
      if (state.channel.sendFrame(frameFor(frame, state.id))) reached++;
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

/** The UTF-8 of a `$/callback` frame around the callback id. */
interface FramePieces {
  readonly prefix: Buffer;
  readonly suffix: Buffer;
}

const framePrefix = Buffer.from('{"jsonrpc":"2.0","method":"$/callback","params":{"callback":"');

/**
 * The arguments are encoded (schema, JSON, UTF-8) once per broadcast, not once per member.
 * Throws (to the caller of `broadcast`) when they do not fit the frame's nesting limit.
 */
function framePieces(
  method: MethodDescriptor,
  args: readonly unknown[],
  maxDepth: number,
): FramePieces {
  const encoded: JsonValue = encodeCallbackArgs(method, args);
  // `args` sits two levels down in the frame: `{"params":{"args":...}}`.
  const argsText = stringifyJson(encoded, maxDepth - 2);
  return {
    prefix: framePrefix,
    suffix: Buffer.from(`","method":${JSON.stringify(method.name)},"args":${argsText}}}`),
  };
}

/**
 * One member's frame: the shared pieces copied around its id. Ids match
 * ^[A-Za-z0-9_-]{1,64}$: ASCII with nothing to escape, so the result is valid JSON.
 */
function frameFor(pieces: FramePieces, id: string): Buffer {
  const { prefix, suffix } = pieces;
  const frame = Buffer.allocUnsafe(prefix.length + id.length + suffix.length);
  prefix.copy(frame, 0);
  frame.write(id, prefix.length, "latin1");
  suffix.copy(frame, prefix.length + id.length);
  return frame;
}
