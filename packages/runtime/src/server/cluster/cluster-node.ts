/**
 * This server as a node of its cluster: its id, its named groups, and callback references
 * both ways: calls from here to callbacks held by other nodes, and calls from other nodes
 * to the callbacks of connections held here. All cross-node traffic goes through the
 * Backplane; without one, the node is a cluster of one.
 */
import type { JsonValue } from "../../codec/schema.js";
import type { CallbackDescriptor, MethodDescriptor } from "../../descriptors.js";
import { ErrorCode } from "../../protocol/codes.js";
import { RpcError, fromWireError, toWireError } from "../../protocol/errors.js";
import { asClientError, isClientError } from "../callback-codec.js";
import type { CallbackState } from "../callback-proxy.js";
import type { CallbackProxy, CallbackRef } from "../context.js";
import type { Logger } from "../options.js";
import { BackplaneError, type Backplane, type BackplaneEvents } from "./backplane.js";
import { ClusterGroup, type GroupLink } from "./cluster-group.js";
import { readMessage, readRef, type CallMessage, type NodeMessage } from "./messages.js";
import { SessionRelays, type SessionHost } from "./session-relays.js";
import {
  RemoteCallbackState,
  backplaneError,
  nodeLostError,
  type RemoteCalls,
} from "./remote-callback.js";

/** What the node needs from its server. */
export interface NodeHost {
  readonly logger: Logger;
  readonly callbackTimeoutMs: number;
  /** The nesting limit of frames (limits.maxDepth). */
  readonly maxDepth: number;
  /** The live callback `callback` of the connection `connection` held here, if any. */
  localCallback(connection: string, callback: string): CallbackState | undefined;
  /** The callback type of that IDL name among the registered services, if any. */
  callbackType(name: string): CallbackDescriptor | undefined;
}

interface PendingCall {
  readonly node: string;
  readonly method: MethodDescriptor;
  readonly resolve: (result: JsonValue) => void;
  readonly reject: (error: RpcError) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

export class ClusterNode implements RemoteCalls, GroupLink {
  readonly #host: NodeHost;
  readonly #backplane: Backplane | undefined;
  readonly #groups = new Map<string, ClusterGroup<any>>();
  /** Awaited calls to other nodes' callbacks, by request id. */
  readonly #pending = new Map<number, PendingCall>();
  #nextId = 1;
  /** One proxy per remote callback while anyone holds it. */
  readonly #remote = new Map<string, WeakRef<RemoteCallbackState>>();
  readonly #forget = new FinalizationRegistry<string>((key) => {
    if (this.#remote.get(key)?.deref() === undefined) this.#remote.delete(key);
  });
  #started: Promise<void> | undefined;
  /** Sessions carried across nodes (with a backplane). */
  #relays: SessionRelays | undefined;

  constructor(
    /** Unique in the cluster: part of every CallbackRef made here. */
    readonly id: string,
    host: NodeHost,
    backplane: Backplane | undefined,
  ) {
    this.#host = host;
    this.#backplane = backplane;
  }

  /** Joins the cluster (once); resolves at once without a backplane. */
  start(): Promise<void> {
    return (this.#started ??= this.#backplane?.start(this.id, this.#events()) ?? Promise.resolve());
  }

  async close(): Promise<void> {
    for (const pending of [...this.#pending.values()]) {
      pending.reject(backplaneError("the server is closing"));
    }
    // Also while still joining: the backplane gives up joining when closed.
    if (this.#backplane !== undefined && this.#started !== undefined) {
      await this.#backplane.close();
      await this.#started.catch(() => undefined);
    }
  }

  /**
   * Carries the sessions of `host` across nodes: resumes of other nodes' sessions are
   * relayed there, and this node's sessions can be resumed anywhere. Undefined without a
   * backplane (a cluster of one has nothing to relay).
   */
  relaySessions(host: SessionHost): SessionRelays | undefined {
    const backplane = this.#backplane;
    if (backplane === undefined) return undefined;
    return (this.#relays ??= new SessionRelays(
      this.id,
      (node, payload) => backplane.send(node, payload),
      host,
      this.#host.logger,
    ));
  }

  // ---- groups ----------------------------------------------------------------------

  group<C>(name: string, descriptor: CallbackDescriptor<C>): ClusterGroup<C> {
    if (typeof name !== "string" || name.length === 0 || name.length > 256) {
      throw new TypeError("group name: 1 to 256 characters");
    }
    const existing = this.#groups.get(name);
    if (existing !== undefined) {
      if (existing.descriptor.name !== descriptor.name) {
        throw new TypeError(`group ${name} holds ${existing.descriptor.name} callbacks`);
      }
      return existing;
    }
    const link = this.#backplane ? this : undefined;
    const group = new ClusterGroup<C>(
      name,
      descriptor,
      link,
      this.#host.maxDepth,
      this.#host.logger,
    );
    this.#groups.set(name, group);
    this.#backplane?.subscribe(name);
    return group;
  }

  /** Every named group of this node (for server.stats()). */
  groups(): IterableIterator<ClusterGroup<any>> {
    return this.#groups.values();
  }

  /** Awaited calls to callbacks on other nodes waiting for their answer. */
  get remoteCallsPending(): number {
    return this.#pending.size;
  }

  publish(group: string, payload: string): void {
    this.#backplane?.publish(group, payload);
  }

  membersChanged(group: string, size: number): void {
    this.#backplane?.setMemberCount(group, size);
  }

  clusterSize(group: string): Promise<number> {
    return (
      this.#backplane?.memberCount(group) ?? Promise.resolve(this.#groups.get(group)?.size ?? 0)
    );
  }

  // ---- callback references ---------------------------------------------------------

  /** A proxy to the callback `ref` names, wherever in the cluster it is held. */
  callback<C>(value: CallbackRef<C>, descriptor?: CallbackDescriptor<C>): CallbackProxy<C> {
    const ref = readRef(value);
    if (ref === undefined) throw new TypeError("server.callback: not a callback reference");
    const type = descriptor ?? this.#host.callbackType(ref.type);
    if (type === undefined) {
      throw new TypeError(
        `server.callback: no registered service takes ${ref.type} callbacks (pass its descriptor)`,
      );
    }
    if (type.name !== ref.type) {
      throw new TypeError(`server.callback: the reference is to a ${ref.type}, not a ${type.name}`);
    }
    if (ref.node === this.id) {
      const local = this.#host.localCallback(ref.connection, ref.callback);
      if (local !== undefined && local.descriptor.name === ref.type) {
        return local.proxy as CallbackProxy<C>;
      }
      // The connection or the callback is gone: a proxy that says so on every call.
      const gone = new RemoteCallbackState(ref, type, this);
      gone.markReleased("released");
      return gone.proxy as CallbackProxy<C>;
    }
    const key = `${ref.node}/${ref.connection}/${ref.callback}`;
    const cached = this.#remote.get(key)?.deref();
    if (cached !== undefined && !cached.released && cached.descriptor === type) {
      return cached.proxy as CallbackProxy<C>;
    }
    const state = new RemoteCallbackState(ref, type, this);
    this.#remote.set(key, new WeakRef(state));
    this.#forget.register(state, key);
    return state.proxy as CallbackProxy<C>;
  }

  call(
    ref: CallbackRef,
    method: MethodDescriptor,
    args: JsonValue,
  ): Promise<JsonValue | undefined> {
    const backplane = this.#backplane;
    if (backplane === undefined) {
      return Promise.reject(backplaneError("this server has no backplane"));
    }
    const message = { t: "call", from: this.id, ref, method: method.name, args };
    if (method.oneway) {
      // Bounded like an awaited call: a Redis that stopped answering must not hang it.
      return new Promise<undefined>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(backplaneError("Redis did not take the message in time")),
          this.#host.callbackTimeoutMs,
        );
        backplane.send(ref.node, JSON.stringify(message)).then(
          () => {
            clearTimeout(timer);
            resolve(undefined);
          },
          (error: unknown) => {
            clearTimeout(timer);
            reject(callError(error, ref.node));
          },
        );
      });
    }
    return new Promise<JsonValue>((resolve, reject) => {
      const id = this.#nextId++;
      const settle = () => {
        clearTimeout(timer);
        this.#pending.delete(id);
      };
      const timer = setTimeout(() => {
        settle();
        reject(new RpcError(ErrorCode.TimedOut, `callback ${method.name} timed out`));
      }, this.#host.callbackTimeoutMs);
      this.#pending.set(id, {
        node: ref.node,
        method,
        resolve: (result) => {
          settle();
          resolve(result);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
        timer,
      });
      backplane.send(ref.node, JSON.stringify({ ...message, id })).catch((error: unknown) => {
        this.#pending.get(id)?.reject(callError(error, ref.node));
      });
    });
  }

  release(ref: CallbackRef, reason: string): void {
    const payload = JSON.stringify({ t: "release", ref, reason });
    this.#backplane?.send(ref.node, payload).catch((error: unknown) => {
      this.#host.logger.info("release of a remote callback not delivered", {
        node: ref.node,
        error: (error as Error).message,
      });
    });
  }

  // ---- what other nodes send ---------------------------------------------------------

  #events(): BackplaneEvents {
    const guard =
      <A extends unknown[]>(what: string, handler: (...args: A) => void) =>
      (...args: A): void => {
        try {
          handler(...args);
        } catch (error) {
          this.#host.logger.error(`backplane event ${what} failed`, {
            error: (error as Error).stack ?? String(error),
          });
        }
      };
    return {
      message: guard("message", (payload: string) => this.#onMessage(payload)),
      published: guard("published", (group: string, payload: string) => {
        this.#groups.get(group)?.deliver(payload);
      }),
      groupGap: guard("groupGap", (group: string) => {
        this.#host.logger.warn("group broadcasts may have been missed: members resubscribe", {
          group,
        });
        this.#groups.get(group)?.resubscribe();
      }),
      nodesLost: guard("nodesLost", (nodes: readonly string[]) => this.#onNodesLost(nodes)),
      down: guard("down", (error: Error) => {
        this.#host.logger.warn("backplane down: cross-node calls fail until it is back", {
          error: error.message,
        });
        for (const pending of [...this.#pending.values()]) {
          pending.reject(backplaneError(error.message));
        }
        this.#relays?.down();
      }),
      up: guard("up", () => {
        this.#host.logger.info("backplane up again");
        this.#relays?.up();
      }),
    };
  }

  #onMessage(payload: string): void {
    const message: NodeMessage | undefined = readMessage(payload);
    if (message === undefined) {
      this.#host.logger.warn("malformed message from the backplane dropped", {
        bytes: payload.length,
      });
      return;
    }
    switch (message.t) {
      case "call":
        return this.#onCall(message);
      case "reply": {
        const pending = this.#pending.get(message.id);
        if (pending === undefined) return; // timed out, or rejected when the backplane went down
        if ("error" in message) {
          const error = fromWireError(message.error, pending.method);
          // The client's own answer stays the client's: it must not speak for this server.
          pending.reject(message.client === true ? asClientError(error) : error);
        } else {
          pending.resolve(message.result);
        }
        return;
      }
      case "release":
        this.#host
          .localCallback(message.ref.connection, message.ref.callback)
          ?.release(message.reason, true);
        return;
      default:
        this.#relays?.receive(message);
    }
  }

  #onCall(message: CallMessage): void {
    const answer = (reply: { result: JsonValue } | { error: RpcError }) => {
      if (message.id === undefined) return;
      const body =
        "error" in reply
          ? {
              t: "reply",
              id: message.id,
              error: toWireError(reply.error),
              ...(isClientError(reply.error) ? { client: true } : {}),
            }
          : { t: "reply", id: message.id, result: reply.result };
      this.#backplane?.send(message.from, JSON.stringify(body)).catch((error: unknown) => {
        this.#host.logger.info("answer to another node not delivered", {
          node: message.from,
          error: (error as Error).message,
        });
      });
    };
    const state = this.#host.localCallback(message.ref.connection, message.ref.callback);
    if (state === undefined || state.released || state.descriptor.name !== message.ref.type) {
      return answer({
        error: new RpcError(
          ErrorCode.CallbackReleased,
          `callback ${message.ref.callback} is released`,
        ),
      });
    }
    const method = state.descriptor.methods.get(message.method);
    if (method === undefined) {
      return answer({
        error: new RpcError(
          ErrorCode.MethodNotFound,
          `${state.descriptor.name} has no method ${message.method}`,
        ),
      });
    }
    if (method.oneway) {
      state.notifyEncoded(method, message.args);
      return;
    }
    state.request(method, message.args).then(
      (result) => answer({ result }),
      (error: unknown) =>
        answer({
          error:
            error instanceof RpcError
              ? error
              : new RpcError(ErrorCode.InternalError, "Internal error"),
        }),
    );
  }

  #onNodesLost(nodes: readonly string[]): void {
    const lost = new Set(nodes);
    for (const pending of [...this.#pending.values()]) {
      if (lost.has(pending.node)) pending.reject(nodeLostError(pending.node));
    }
    for (const weak of this.#remote.values()) {
      const state = weak.deref();
      if (state !== undefined && lost.has(state.ref.node)) state.markReleased("node-lost");
    }
    this.#relays?.nodesLost(nodes);
  }
}

/** What a failed `send` means for the call: node lost, or the backplane is unavailable. */
function callError(error: unknown, node: string): RpcError {
  if (error instanceof BackplaneError && error.reason === "node-lost") return nodeLostError(node);
  return backplaneError(error instanceof Error ? error.message : String(error));
}
