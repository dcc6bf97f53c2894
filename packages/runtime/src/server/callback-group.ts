/**
 * A set of callback proxies to publish to: released members leave by themselves, and a
 * broadcast encodes its message once and writes the same frame text to every member.
 */
import type { CallbackDescriptor, MethodDescriptor } from "../descriptors.js";
import { ErrorCode } from "../protocol/codes.js";
import { broadcastFrame, type BroadcastFrame } from "./broadcast-frame.js";
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

/** What a distributed group (cluster/cluster-group.ts) adds to a group of this node. */
export interface GroupDistribution {
  /**
   * Encodes a broadcast once, sends it to the other nodes, and returns the local frame;
   * undefined when its arguments cannot be sent (logged; the broadcast reaches no one).
   */
  broadcast(name: string, args: readonly unknown[]): BroadcastFrame | undefined;
  /** The members on this node changed; `size` is their number now. */
  membersChanged(size: number): void;
}

/** Where a CallbackGroup subclass puts its GroupDistribution (a symbol: not public API). */
export const distribution = Symbol("svcgen.groupDistribution");

export class CallbackGroup<C> implements Iterable<CallbackProxy<C>>, ReleaseWatcher {
  readonly #members = new Map<CallbackProxy<C>, CallbackState>();
  /** Set by a cluster-wide group; a plain group is local to its node. */
  protected [distribution]: GroupDistribution | undefined;

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
    this[distribution]?.membersChanged(this.#members.size);
    return this;
  }

  /** Removes a member; true if it was one. */
  delete(proxy: CallbackProxy<C>): boolean {
    const state = this.#members.get(proxy);
    if (state === undefined) return false;
    state.unwatch(this);
    this.#members.delete(proxy);
    this[distribution]?.membersChanged(this.#members.size);
    return true;
  }

  /** A member was released: it leaves. */
  [memberReleased](state: CallbackState): void {
    if (this.#members.delete(state.proxy as CallbackProxy<C>)) {
      this[distribution]?.membersChanged(this.#members.size);
    }
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

  /**
   * Writes one broadcast's frame to every member on this node; how many took it.
   * @internal For cluster groups (broadcasts from other nodes too).
   */
  protected fanOut(frame: BroadcastFrame): number {
    let reached = 0;
    let tried = 0;
    let first: CallbackState | undefined;
    // A copy: a send may overload a member's connection, which releases it mid-loop.
    for (const state of [...this.#members.values()]) {
      if (state.released) continue;
      first ??= state;
      tried++;
      if (sendTo(state, frame)) reached++;
    }
    if (first !== undefined) countBroadcast(first, frame.method, tried, reached);
    return reached;
  }

  #broadcast(name: string, args: readonly unknown[]): number {
    const distributed = this[distribution];
    if (distributed !== undefined) {
      const pieces = distributed.broadcast(name, args);
      return pieces === undefined ? 0 : this.fanOut(pieces);
    }
    let reached = 0;
    let tried = 0;
    let first: CallbackState | undefined;
    // Members of one group share a callback type; encode once per descriptor all the same.
    const frames = new Map<object, BroadcastFrame>();
    // A copy: a send may overload a member's connection, which releases it mid-loop.
    for (const state of [...this.#members.values()]) {
      if (state.released) continue;
      let frame = frames.get(state.descriptor);
      if (frame === undefined) {
        const method = onewayMethod(state.descriptor, name);
        try {
          frame = broadcastFrame(method, args, state.channel.maxDepth);
        } catch (error) {
          // Fire and forget, like a oneway call: arguments that cannot travel reach no one.
          state.channel.log.error("broadcast dropped: its arguments cannot be sent", {
            callback: state.descriptor.name,
            method: name,
            error: error instanceof Error ? error.message : String(error),
          });
          return 0;
        }
        frames.set(state.descriptor, frame);
      }
      first ??= state;
      tried++;
      if (sendTo(state, frame)) reached++;
    }
    if (first !== undefined) countBroadcast(first, name, tried, reached);
    return reached;
  }
}

/** One member's frame, in its connection's encoding; false when it did not take it. */
function sendTo(state: CallbackState, frame: BroadcastFrame): boolean {
  const bytes = frame.frameFor(state.id, state.channel.flavor);
  if (bytes === undefined) {
    state.channel.log.error("broadcast dropped for a MessagePack member: no MessagePack form", {
      callback: state.descriptor.name,
    });
    return false;
  }
  const key = frame.conflation === undefined ? undefined : state.id + frame.conflation;
  return state.channel.sendFrame(bytes, key);
}

/**
 * Counts a broadcast once, as one `oneway` callback per member it was for: every member's
 * channel on a node reports to the same figures, so the first one's stand for all.
 */
function countBroadcast(
  member: CallbackState,
  methodName: string,
  tried: number,
  reached: number,
): void {
  const metrics = member.channel.metrics;
  const method = member.descriptor.methods.get(methodName);
  if (metrics === undefined || method === undefined) return;
  const counter = metrics.counter(method);
  if (reached > 0) counter.sent(reached);
  if (tried > reached) counter.sent(tried - reached, ErrorCode.ConnectionClosed);
}

/** The oneway method `name` of a callback type; a TypeError for any other. */
export function onewayMethod(descriptor: CallbackDescriptor, name: string): MethodDescriptor {
  const method = descriptor.methods.get(name);
  if (method === undefined) throw new TypeError(`${descriptor.name} has no method ${name}`);
  if (!method.oneway) {
    throw new TypeError(`${descriptor.name}.${name} is not oneway: call it on each proxy`);
  }
  return method;
}
