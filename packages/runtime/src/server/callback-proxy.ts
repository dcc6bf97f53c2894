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
import { decodeCallbackResult, encodeCallbackArgs } from "./callback-codec.js";
import type { CallbackHandle, CallbackProxy } from "./context.js";

/** What a proxy needs from its connection. */
export interface CallbackChannel {
  /** Writes one text frame; false when the connection can no longer take it. */
  sendFrame(text: string): boolean;
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
}

type ReleaseListener = (reason: string) => void;

/** The state behind one proxy; CallbackGroup reads it to write frames directly. */
export class CallbackState {
  readonly proxy: CallbackProxy<any>;
  #released = false;
  #listeners: ReleaseListener[] = [];
  /** Internal listeners (groups) that can also unsubscribe; run before the user's. */
  readonly #watchers = new Set<ReleaseListener>();
  /** Rejectors of awaited calls still waiting for the client. */
  readonly #pending = new Set<(error: RpcError) => void>();

  constructor(
    readonly id: string,
    readonly descriptor: CallbackDescriptor,
    readonly channel: CallbackChannel,
  ) {
    this.proxy = buildProxy(this);
    states.set(this.proxy, this);
  }

  get released(): boolean {
    return this.#released;
  }

  onRelease(listener: ReleaseListener): void {
    if (this.#released) queueMicrotask(() => listener(this.#reason));
    else this.#listeners.push(listener);
  }

  watch(listener: ReleaseListener): void {
    this.#watchers.add(listener);
  }

  unwatch(listener: ReleaseListener): void {
    this.#watchers.delete(listener);
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
    const error = new RpcError(pendingCode, pendingMessage(pendingCode, this.id));
    for (const reject of [...this.#pending]) reject(error);
    this.#pending.clear();
    for (const watcher of [...this.#watchers]) watcher(reason);
    this.#watchers.clear();
    for (const listener of this.#listeners.splice(0)) {
      try {
        listener(reason);
      } catch {
        // A failing release listener must not keep the others from running.
      }
    }
  }

  /** Runs a callback method: the body of each proxy method. */
  invoke(method: MethodDescriptor, args: readonly unknown[]): Promise<unknown> {
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
    if (method.oneway) {
      const frame = JSON.stringify({ jsonrpc: "2.0", method: "$/callback", params });
      // Never waits for the client: queued on the socket is done.
      return this.channel.sendFrame(frame)
        ? Promise.resolve(undefined)
        : Promise.reject(
            new RpcError(ErrorCode.ConnectionClosed, `callback ${this.id}: connection closed`),
          );
    }
    return this.channel
      .request(method, params, (reject) => {
        this.#pending.add(reject);
        return () => void this.#pending.delete(reject);
      })
      .then((result) => decodeCallbackResult(method, result));
  }
}

function pendingMessage(code: number, id: string): string {
  return code === ErrorCode.ConnectionClosed
    ? `callback ${id}: connection closed before the answer came`
    : `callback ${id} is released`;
}

const states = new WeakMap<object, CallbackState>();

/** The state of a proxy made here; undefined for anything else. */
export function callbackStateOf(proxy: object): CallbackState | undefined {
  return states.get(proxy);
}

/** Names the handle owns; a callback method of the same name is reachable only via a group. */
const handleKeys = new Set(["id", "released", "onRelease", "release"]);

function buildProxy(state: CallbackState): CallbackProxy<any> {
  const handle: CallbackHandle = {
    get id() {
      return state.id;
    },
    get released() {
      return state.released;
    },
    onRelease(listener) {
      state.onRelease(listener);
    },
    release(reason = "released") {
      state.release(reason, true);
    },
  };
  for (const method of state.descriptor.methods.values()) {
    if (handleKeys.has(method.name)) continue;
    Object.defineProperty(handle, method.name, {
      value: (...args: unknown[]) => state.invoke(method, args),
      enumerable: true,
    });
  }
  return Object.freeze(handle) as CallbackProxy<any>;
}
