/**
 * A named CallbackGroup that spans the cluster. Each node holds the members whose sockets
 * it holds; a broadcast is written to the local members at once and published once to the
 * other nodes, which write it to theirs. Without a backplane it is a group of this node.
 */
import type { CallbackDescriptor } from "../../descriptors.js";
import { argsJson, broadcastFrameOfJson, type BroadcastFrame } from "../broadcast-frame.js";
import { CallbackGroup, distribution, onewayMethod } from "../callback-group.js";
import { callbackStateOf } from "../callback-proxy.js";
import type { CallbackProxy } from "../context.js";
import type { Logger } from "../options.js";

/** What a cluster group needs from its node. */
export interface GroupLink {
  publish(group: string, payload: string): void;
  membersChanged(group: string, size: number): void;
  clusterSize(group: string): Promise<number>;
}

/** The reason members are released with when the group may have lost a broadcast. */
export const resubscribeReason = "resubscribe";

export class ClusterGroup<C> extends CallbackGroup<C> {
  readonly #link: GroupLink | undefined;
  readonly #maxDepth: number;
  readonly #log: Logger;

  constructor(
    /** The group's name, the same on every node. */
    readonly name: string,
    readonly descriptor: CallbackDescriptor<C>,
    link: GroupLink | undefined,
    /** The nesting limit of frames (limits.maxDepth). */
    maxDepth: number,
    log: Logger,
  ) {
    super();
    this.#link = link;
    this.#maxDepth = maxDepth;
    this.#log = log;
    this[distribution] = {
      broadcast: (method, args) => this.#publish(method, args),
      membersChanged: (size) => link?.membersChanged(name, size),
    };
  }

  override add(proxy: CallbackProxy<C>): this {
    const state = callbackStateOf(proxy);
    if (state === undefined) {
      throw new TypeError(
        `group ${this.name}: not a callback proxy of this node (add it on the node that holds its connection)`,
      );
    }
    if (state.descriptor.name !== this.descriptor.name) {
      throw new TypeError(
        `group ${this.name} holds ${this.descriptor.name} callbacks, not ${state.descriptor.name}`,
      );
    }
    return super.add(proxy);
  }

  /** Members on every live node (this node's `size` counts only its own). */
  clusterSize(): Promise<number> {
    return this.#link === undefined
      ? Promise.resolve(this.size)
      : this.#link.clusterSize(this.name);
  }

  #publish(name: string, args: readonly unknown[]): BroadcastFrame | undefined {
    const method = onewayMethod(this.descriptor, name);
    // Encoded once: the same JSON text goes to the other nodes and into the local frames.
    let json: string;
    try {
      json = argsJson(method, args, this.#maxDepth);
    } catch (error) {
      // Fire and forget, like a local group: arguments that cannot travel reach no one.
      this.#log.error("broadcast dropped: its arguments cannot be sent", {
        group: this.name,
        callback: this.descriptor.name,
        method: name,
        error: error instanceof Error ? error.message : String(error),
      });
      return undefined;
    }
    this.#link?.publish(this.name, `${name}\n${json}`);
    return broadcastFrameOfJson(method, json, this.#maxDepth);
  }

  /**
   * A broadcast another node published: to the members here. Dropped when it names no
   * oneway method of the group's callback type (a node running another contract version).
   * @internal
   */
  deliver(payload: string): number {
    const newline = payload.indexOf("\n");
    if (newline < 0) return 0;
    const name = payload.slice(0, newline);
    const method = this.descriptor.methods.get(name);
    if (method === undefined || !method.oneway) return 0;
    return this.fanOut(broadcastFrameOfJson(method, payload.slice(newline + 1), this.#maxDepth));
  }

  /**
   * Broadcasts may have been missed here: every member is released with "resubscribe",
   * so that its client joins again rather than silently missing messages.
   * @internal
   */
  resubscribe(): void {
    for (const proxy of [...this]) proxy.release(resubscribeReason);
  }
}
