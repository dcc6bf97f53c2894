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
import { stringifyJson } from "../protocol/json-text.js";
import { decodeCallbackResult, encodeCallbackArgs } from "./callback-codec.js";
import type { CallbackHandle, CallbackProxy } from "./context.js";
import type { Logger } from "./options.js";

/** What a proxy needs from its connection. */
export interface CallbackChannel {
  /** Writes one text frame (a Buffer holds its UTF-8); false when the connection cannot take it. */
  sendFrame(frame: string | Buffer): boolean;
  /**
   * Sends a `$/callback` request and resolves with the raw `result`; rejects with an
   * RpcError (the client's error, -32003 on timeout, -32007 when the connection closes).
   * `track` receives a function that rejects the pending request early (on release).
   */
  request(
    method: MethodDescriptor,
    params: JsonValue,
    track: (reject: (error: RpcError) => void) => () => void,
  ): Promise<JsonValue>;
  /** The callback is gone: drop it from the connection's table. */
  forget(id: string): void;
  /** The nesting limit of frames (see json-text.ts). */
  readonly maxDepth: number;
  /** Where a dropped `oneway` call is reported. */
  readonly log: Logger;
}

type ReleaseListener = (reason: string) => void;

/** The method a ReleaseWatcher is told through (a symbol: not part of a group's API). */
export const memberReleased = Symbol("svcgen.memberReleased");

/** An internal party told of the release before the user's listeners (a CallbackGroup). */
export interface ReleaseWatcher {
  [memberReleased](state: CallbackState): void;
}

/** The state behind one proxy; CallbackGroup reads it to write frames directly. */
export class CallbackState {
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
      this.channel.sendFrame(
        JSON.stringify({
          jsonrpc: "2.0",
          method: "$/released",
          params: { callback: this.id, reason },
        }),
      );
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

  /** Runs a callback method: the body of each proxy method. */
  invoke(method: MethodDescriptor, args: readonly unknown[]): Promise<unknown> {
    if (method.oneway) return Promise.resolve(this.#notify(method, args));
    if (this.#released) {
      return Promise.reject(
        new RpcError(ErrorCode.CallbackReleased, `callback ${this.id} is released`),
      );
    }
    let encodedArgs: JsonValue;
    try {
      encodedArgs = encodeCallbackArgs(method, args);
    } catch (error) {
      return Promise.reject(error);
    }
    const params = { callback: this.id, method: method.name, args: encodedArgs };
    return this.channel
      .request(method, params, (reject) => {
        const pending = (this.#pending ??= new Set());
        pending.add(reject);
        return () => void pending.delete(reject);
      })
      .then((result) => {
        const value = decodeCallbackResult(method, result);
        // A void method says that the client took it, like a oneway one that was queued.
        return method.returns === undefined ? true : value;
      });
  }

  /**
   * A `oneway` call: fire and forget, so it never rejects (nothing may be listening, and an
   * unobserved rejection ends a Node process). True once queued on the socket; false when
   * dropped: the callback is released or its connection gone (`released` says which), or
   * the arguments cannot travel (a fault of the implementation, logged).
   */
  #notify(method: MethodDescriptor, args: readonly unknown[]): boolean {
    if (this.#released) return false;
    let frame: string;
    try {
      const params = {
        callback: this.id,
        method: method.name,
        args: encodeCallbackArgs(method, args),
      };
      frame = stringifyJson(
        { jsonrpc: "2.0", method: "$/callback", params },
        this.channel.maxDepth,
      );
    } catch (error) {
      this.channel.log.error(`oneway callback dropped: its arguments cannot be sent`, {
        callback: this.descriptor.name,
        method: method.name,
        error: error instanceof Error ? error.message : String(error),
      });
      return false;
    }
    // Never waits for the client: queued on the socket is done.
    return this.channel.sendFrame(frame);
  }
}

function pendingMessage(code: number, id: string): string {
  return code === ErrorCode.ConnectionClosed
    ? `callback ${id}: connection closed before the answer came`
    : `callback ${id} is released`;
}

/** The state of a proxy made here; undefined for anything else. */
export function callbackStateOf(proxy: object): CallbackState | undefined {
  return ProxyBase.stateOf(proxy);
}

/** Names the handle owns; a callback method of the same name is reachable only via a group. */
const handleKeys = new Set(["id", "released", "onRelease", "release"]);

/**
 * What every proxy is: the handle, on a prototype. A proxy is one small object; its
 * callback methods sit on a prototype made once per callback type, not as closures per proxy.
 */
class ProxyBase implements CallbackHandle {
  readonly #state: CallbackState;

  constructor(state: CallbackState) {
    this.#state = state;
  }

  static stateOf(proxy: object): CallbackState | undefined {
    if (typeof proxy !== "object" || proxy === null) return undefined;
    return #state in proxy ? (proxy as ProxyBase).#state : undefined;
  }

  get id(): string {
    return this.#state.id;
  }

  get released(): boolean {
    return this.#state.released;
  }

  onRelease(listener: (reason: string) => void): void {
    this.#state.onRelease(listener);
  }

  release(reason = "released"): void {
    this.#state.release(reason, true);
  }
}

type ProxyClass = new (state: CallbackState) => ProxyBase;

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

function buildProxy(state: CallbackState): CallbackProxy<any> {
  const ProxyClass = proxyClassFor(state.descriptor);
  return Object.freeze(new ProxyClass(state)) as unknown as CallbackProxy<any>;
}
