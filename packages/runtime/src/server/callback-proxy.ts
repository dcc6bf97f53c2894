/**
 * Server-side proxies of client callback objects. One proxy per (connection, callback id):
 * the implementation may keep it as a key. A proxy's methods encode their arguments with the
 * callback's method descriptor and go out as `$/callback` messages over the connection's
 * channel; `oneway` ones resolve once queued, awaited ones with the client's answer.
 */
import type { JsonValue } from "../codec/schema.js";
import type { CallbackDescriptor, MethodDescriptor } from "../descriptors.js";
import { ErrorCode } from "../protocol/codes.js";
import { RpcError } from "../protocol/errors.js";
import type { WireFlavor } from "../codec/flavor.js";
import {
  decodeCallbackResult,
  encodeCallbackArgs,
  reflavorArgs,
  reflavorResult,
} from "./callback-codec.js";
import { conflationKey } from "./conflation-key.js";
import { callState, type CallNext, type CallWithState } from "../interceptors/interceptor.js";
import { metaMember } from "../protocol/meta.js";
import type { CallbackHandle, CallbackProxy, CallbackRef, ConnectionInfo } from "./context.js";
import type { CallbackSender } from "./dispatcher.js";
import type { CallMetrics } from "./metrics/call-metrics.js";
import type { Logger } from "./options.js";

/** The node and connection a callback lives on (the first half of its CallbackRef). */
export interface CallbackOwner {
  readonly node: string;
  readonly connection: string;
}

/** What a proxy needs from its connection. */
export interface CallbackChannel {
  /** Where the channel's callbacks live. */
  readonly owner: CallbackOwner;
  /**
   * Writes one frame of the connection's encoding (under JSON a Buffer holds the UTF-8 of
   * the text); false when the connection cannot take it.
   */
  sendFrame(frame: string | Uint8Array, conflateKey?: string): boolean;
  /** How the connection's encoding carries values: the codecs write arguments in it. */
  readonly flavor: WireFlavor;
  /**
   * One message as a frame of the connection's encoding, within its nesting limit; throws
   * a FrameError when it cannot be written.
   */
  encode(message: object): string | Uint8Array;
  /**
   * Sends a `$/callback` request and resolves with the raw `result` (in the channel's
   * flavor); rejects with an
   * RpcError (the client's error, -32003 on timeout, -32007 when the connection closes).
   * `track` receives a function that rejects the pending request early (on release).
   */
  request(
    method: MethodDescriptor,
    params: JsonValue,
    track: (reject: (error: RpcError) => void) => () => void,
    metadata?: Record<string, string>,
  ): Promise<JsonValue>;
  /** The interceptors around callbacks; undefined when there are none. */
  readonly callbackChain?: CallNext | undefined;
  /** The principal of the connection's client (what interceptors see). */
  readonly principal?: unknown;
  /** The connection, for interceptors. */
  readonly info?: ConnectionInfo;
  /** The callback is gone: drop it from the connection's table. */
  forget(id: string): void;
  /** The nesting limit of frames (see json-text.ts). */
  readonly maxDepth: number;
  /** Where a dropped `oneway` call is reported. */
  readonly log: Logger;
  /** Where callbacks are counted (server.stats()). */
  readonly metrics?: CallMetrics;
}

type ReleaseListener = (reason: string) => void;

/** The method a ReleaseWatcher is told through (a symbol: not part of a group's API). */
export const memberReleased = Symbol("svcgen.memberReleased");

/** An internal party told of the release before the user's listeners (a CallbackGroup). */
export interface ReleaseWatcher {
  [memberReleased](state: CallbackState): void;
}

/**
 * What a proxy forwards to: the state of a callback on this node's connection
 * (CallbackState) or a reference to one on another node (cluster/remote-callback.ts).
 */
export interface CallbackTarget {
  readonly id: string;
  readonly descriptor: CallbackDescriptor;
  readonly released: boolean;
  readonly ref: CallbackRef;
  onRelease(listener: ReleaseListener): void;
  /** The implementation lets the callback go (the client is told). */
  releaseByServer(reason: string): void;
  invoke(method: MethodDescriptor, args: readonly unknown[]): Promise<unknown>;
}

/** The state behind one proxy; CallbackGroup reads it to write frames directly. */
export class CallbackState implements CallbackTarget, CallbackSender {
  readonly proxy: CallbackProxy<any>;
  #released = false;
  // Made on first use: a server may hold thousands of callbacks that never need them.
  #listeners: ReleaseListener[] | undefined;
  /**
   * Internal watchers (groups) that can also unsubscribe; run before the user's listeners.
   * One watcher is kept as is, more in a Set: most callbacks are in one group.
   */
  #watchers: ReleaseWatcher | Set<ReleaseWatcher> | undefined;
  /** Rejectors of awaited calls still waiting for the client. */
  #pending: Set<(error: RpcError) => void> | undefined;

  constructor(
    readonly id: string,
    readonly descriptor: CallbackDescriptor,
    readonly channel: CallbackChannel,
  ) {
    this.proxy = buildProxy(this);
  }

  get released(): boolean {
    return this.#released;
  }

  #ref: CallbackRef | undefined;

  get ref(): CallbackRef {
    return (this.#ref ??= Object.freeze({
      node: this.channel.owner.node,
      connection: this.channel.owner.connection,
      callback: this.id,
      type: this.descriptor.name,
    }));
  }

  releaseByServer(reason: string): void {
    this.release(reason, true);
  }

  onRelease(listener: ReleaseListener): void {
    if (this.#released) queueMicrotask(() => listener(this.#reason));
    else (this.#listeners ??= []).push(listener);
  }

  watch(watcher: ReleaseWatcher): void {
    const current = this.#watchers;
    if (current === undefined) this.#watchers = watcher;
    else if (current instanceof Set) current.add(watcher);
    else if (current !== watcher) this.#watchers = new Set([current, watcher]);
  }

  /** Its watchers now (the groups it is a member of), for the inspector. */
  watchers(): ReleaseWatcher[] {
    const current = this.#watchers;
    if (current === undefined) return [];
    return current instanceof Set ? [...current] : [current];
  }

  unwatch(watcher: ReleaseWatcher): void {
    const current = this.#watchers;
    if (current === watcher) this.#watchers = undefined;
    else if (current instanceof Set) current.delete(watcher);
  }

  #reason = "";

  /**
   * Marks the callback released and runs its listeners once. `tellClient` is true when the
   * server's implementation let it go (the client is sent `$/released`).
   */
  release(
    reason: string,
    tellClient: boolean,
    pendingCode: number = ErrorCode.CallbackReleased,
  ): void {
    if (this.#released) return;
    this.#released = true;
    this.#reason = reason;
    this.channel.forget(this.id);
    if (tellClient) {
      let frame: string | Uint8Array | undefined;
      try {
        frame = this.channel.encode({
          jsonrpc: "2.0",
          method: "$/released",
          params: { callback: this.id, reason: String(reason) },
        });
      } catch {
        // Flat strings always encode; nothing to tell the client otherwise.
      }
      if (frame !== undefined) this.channel.sendFrame(frame);
    }
    if (this.#pending !== undefined && this.#pending.size > 0) {
      const error = new RpcError(pendingCode, pendingMessage(pendingCode, this.id));
      for (const reject of [...this.#pending]) reject(error);
      this.#pending.clear();
    }
    const watchers = this.#watchers;
    this.#watchers = undefined;
    if (watchers instanceof Set) for (const watcher of watchers) watcher[memberReleased](this);
    else watchers?.[memberReleased](this);
    for (const listener of this.#listeners?.splice(0) ?? []) {
      try {
        listener(reason);
      } catch {
        // A failing release listener must not keep the others from running.
      }
    }
  }

  /** Runs a callback method: the body of each proxy method, through the interceptors if any. */
  invoke(method: MethodDescriptor, args: readonly unknown[]): Promise<unknown> {
    const chain = this.channel.callbackChain;
    if (chain === undefined) return this.send(method, args, undefined);
    const outcome = chain(this.#intercepted(method, args));
    // A oneway callback never rejects, whatever an interceptor threw: false, not sent.
    return method.oneway ? outcome.catch(() => false) : outcome;
  }

  #intercepted(method: MethodDescriptor, args: readonly unknown[]): CallWithState<CallbackSender> {
    const { info } = this.channel;
    return {
      kind: "callback",
      side: "server",
      transport: "ws",
      endpoint: "ws",
      service: this.descriptor.name,
      method,
      args,
      principal: this.channel.principal,
      metadata: {},
      ...(info !== undefined && { connection: info, remoteAddress: info.remoteAddress }),
      signal: undefined,
      [callState]: this,
    };
  }

  /** Sends a callback call, with `metadata` as the message's `meta`. */
  send(
    method: MethodDescriptor,
    args: readonly unknown[],
    metadata: Record<string, string> | undefined,
  ): Promise<unknown> {
    if (method.oneway) return Promise.resolve(this.#notify(method, args, metadata));
    if (this.#released) {
      return Promise.reject(
        new RpcError(ErrorCode.CallbackReleased, `callback ${this.id} is released`),
      );
    }
    const { flavor } = this.channel;
    let encodedArgs: JsonValue;
    try {
      encodedArgs = encodeCallbackArgs(method, args, flavor);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#request(method, encodedArgs, metadata).then((result) => {
      const value = decodeCallbackResult(method, result, flavor);
      // A void method says that the client took it, like a oneway one that was queued.
      return method.returns === undefined ? true : value;
    });
  }

  /**
   * An awaited call from another node: its arguments are encoded already, JSON-flavored as
   * everything between nodes; resolves with the client's raw `result`, JSON-flavored too.
   */
  request(
    method: MethodDescriptor,
    encodedArgs: JsonValue,
    metadata?: Record<string, string>,
  ): Promise<JsonValue> {
    const { flavor } = this.channel;
    if (flavor === "json") return this.#request(method, encodedArgs, metadata);
    let args: JsonValue;
    try {
      args = reflavorArgs(method, encodedArgs, "json", flavor);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#request(method, args, metadata).then((result) =>
      reflavorResult(method, result, flavor, "json"),
    );
  }

  /** An awaited call with arguments in the channel's flavor; the raw `result` in it too. */
  #request(
    method: MethodDescriptor,
    encodedArgs: JsonValue,
    metadata: Record<string, string> | undefined,
  ): Promise<JsonValue> {
    const metrics = this.channel.metrics;
    if (this.#released) {
      const error = new RpcError(ErrorCode.CallbackReleased, `callback ${this.id} is released`);
      if (metrics !== undefined) {
        const counter = metrics.counter(method);
        metrics.failed(counter, counter.start(), error);
      }
      return Promise.reject(error);
    }
    const params = { callback: this.id, method: method.name, args: encodedArgs };
    const answer = this.channel.request(
      method,
      params,
      (reject) => {
        const pending = (this.#pending ??= new Set());
        pending.add(reject);
        return () => void pending.delete(reject);
      },
      metadata,
    );
    if (metrics === undefined) return answer;
    const counter = metrics.counter(method);
    const startedAt = counter.start();
    return answer.then(
      (result) => {
        counter.succeeded(startedAt);
        return result;
      },
      (error: unknown) => {
        const rpcError =
          error instanceof RpcError ? error : new RpcError(ErrorCode.InternalError, String(error));
        metrics.failed(counter, startedAt, rpcError);
        throw error;
      },
    );
  }

  /**
   * A `oneway` call: fire and forget, so it never rejects (nothing may be listening, and an
   * unobserved rejection ends a Node process). True once queued on the socket; false when
   * dropped: the callback is released or its connection gone (`released` says which), or
   * the arguments cannot travel (a fault of the implementation, logged).
   */
  #notify(
    method: MethodDescriptor,
    args: readonly unknown[],
    metadata: Record<string, string> | undefined,
  ): boolean {
    if (this.#released) {
      this.channel.metrics?.counter(method).sent(1, ErrorCode.CallbackReleased);
      return false;
    }
    let encodedArgs: JsonValue;
    try {
      encodedArgs = encodeCallbackArgs(method, args, this.channel.flavor);
    } catch (error) {
      this.#dropped(method, error);
      return false;
    }
    return this.#notifyIn(method, encodedArgs, metadata);
  }

  /**
   * A `oneway` call from another node: its arguments are encoded already, JSON-flavored
   * as everything between nodes.
   */
  notifyEncoded(
    method: MethodDescriptor,
    encodedArgs: JsonValue,
    metadata?: Record<string, string>,
  ): boolean {
    const { flavor } = this.channel;
    if (flavor === "json" || this.#released) return this.#notifyIn(method, encodedArgs, metadata);
    let args: JsonValue;
    try {
      args = reflavorArgs(method, encodedArgs, "json", flavor);
    } catch (error) {
      this.#dropped(method, error);
      return false;
    }
    return this.#notifyIn(method, args, metadata);
  }

  /** A `oneway` call with arguments in the channel's flavor. */
  #notifyIn(
    method: MethodDescriptor,
    encodedArgs: JsonValue,
    metadata: Record<string, string> | undefined,
  ): boolean {
    const counter = this.channel.metrics?.counter(method);
    if (this.#released) {
      counter?.sent(1, ErrorCode.CallbackReleased);
      return false;
    }
    let frame: string | Uint8Array;
    let key: string | undefined;
    try {
      const params = { callback: this.id, method: method.name, args: encodedArgs };
      frame = this.channel.encode({
        jsonrpc: "2.0",
        method: "$/callback",
        params,
        ...metaMember(metadata),
      });
      key = conflationKey(this.id, method, encodedArgs);
    } catch (error) {
      this.#dropped(method, error);
      return false;
    }
    // Never waits for the client: queued on the socket (or kept by the session) is done.
    const sent = this.channel.sendFrame(frame, key);
    if (sent) counter?.sent(1);
    else counter?.sent(1, ErrorCode.ConnectionClosed);
    return sent;
  }

  #dropped(method: MethodDescriptor, error: unknown): void {
    this.channel.metrics?.counter(method).sent(1, ErrorCode.InternalError);
    this.channel.log.error(`oneway callback dropped: its arguments cannot be sent`, {
      callback: this.descriptor.name,
      method: method.name,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

function pendingMessage(code: number, id: string): string {
  return code === ErrorCode.ConnectionClosed
    ? `callback ${id}: connection closed before the answer came`
    : `callback ${id} is released`;
}

/** The state of a proxy of a callback on this node; undefined for anything else. */
export function callbackStateOf(proxy: object): CallbackState | undefined {
  const target = ProxyBase.stateOf(proxy);
  return target instanceof CallbackState ? target : undefined;
}

/** Names the handle owns; a callback method of the same name is reachable only via a group. */
const handleKeys = new Set(["id", "ref", "released", "onRelease", "release"]);

/**
 * What every proxy is: the handle, on a prototype. A proxy is one small object; its
 * callback methods sit on a prototype made once per callback type, not as closures per proxy.
 */
class ProxyBase implements CallbackHandle {
  readonly #state: CallbackTarget;

  constructor(state: CallbackTarget) {
    this.#state = state;
  }

  static stateOf(proxy: object): CallbackTarget | undefined {
    if (typeof proxy !== "object" || proxy === null) return undefined;
    return #state in proxy ? (proxy as ProxyBase).#state : undefined;
  }

  get id(): string {
    return this.#state.id;
  }

  get ref(): CallbackRef {
    return this.#state.ref;
  }

  get released(): boolean {
    return this.#state.released;
  }

  onRelease(listener: (reason: string) => void): void {
    this.#state.onRelease(listener);
  }

  release(reason = "released"): void {
    this.#state.releaseByServer(reason);
  }
}

type ProxyClass = new (state: CallbackTarget) => ProxyBase;

const proxyClasses = new WeakMap<CallbackDescriptor, ProxyClass>();

function proxyClassFor(descriptor: CallbackDescriptor): ProxyClass {
  let ProxyClass = proxyClasses.get(descriptor);
  if (ProxyClass !== undefined) return ProxyClass;
  ProxyClass = class extends ProxyBase {};
  for (const method of descriptor.methods.values()) {
    if (handleKeys.has(method.name)) continue;
    Object.defineProperty(ProxyClass.prototype, method.name, {
      value: function (this: ProxyBase, ...args: unknown[]) {
        const state = ProxyBase.stateOf(this);
        if (state === undefined) throw new TypeError(`not a ${descriptor.name} proxy`);
        return state.invoke(method, args);
      },
      enumerable: true,
    });
  }
  proxyClasses.set(descriptor, ProxyClass);
  return ProxyClass;
}

/** The one proxy object of `state` (a CallbackTarget makes it once, in its constructor). */
export function buildProxy(state: CallbackTarget): CallbackProxy<any> {
  const ProxyClass = proxyClassFor(state.descriptor);
  return Object.freeze(new ProxyClass(state)) as unknown as CallbackProxy<any>;
}
