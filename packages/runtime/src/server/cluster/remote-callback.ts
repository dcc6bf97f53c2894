/**
 * A proxy to a client's callback held by another node (or by a connection here that is
 * gone): what `server.callback(ref)` returns when the callback is not on this node. Its
 * calls travel through the backplane to the node holding the socket, which sends the
 * `$/callback` and returns the client's answer.
 */
import type { JsonValue } from "../../codec/schema.js";
import type { CallbackDescriptor, MethodDescriptor } from "../../descriptors.js";
import { ErrorCode } from "../../protocol/codes.js";
import { RpcError } from "../../protocol/errors.js";
import { decodeCallbackResult, encodeCallbackArgs } from "../callback-codec.js";
import { buildProxy, type CallbackTarget } from "../callback-proxy.js";
import type { CallbackProxy, CallbackRef } from "../context.js";

/** How a remote proxy reaches the node that holds its callback. */
export interface RemoteCalls {
  /** Sends the call; resolves with the client's raw result (undefined for a oneway one). */
  call(ref: CallbackRef, method: MethodDescriptor, args: JsonValue): Promise<JsonValue | undefined>;
  /** Tells the holding node to release the callback (the client is sent `$/released`). */
  release(ref: CallbackRef, reason: string): void;
}

export class RemoteCallbackState implements CallbackTarget {
  readonly proxy: CallbackProxy<any>;
  #released = false;
  #reason = "";
  #listeners: ((reason: string) => void)[] | undefined;

  constructor(
    readonly ref: CallbackRef,
    readonly descriptor: CallbackDescriptor,
    readonly calls: RemoteCalls,
  ) {
    this.proxy = buildProxy(this);
  }

  get id(): string {
    return this.ref.callback;
  }

  get released(): boolean {
    return this.#released;
  }

  onRelease(listener: (reason: string) => void): void {
    if (this.#released) queueMicrotask(() => listener(this.#reason));
    else (this.#listeners ??= []).push(listener);
  }

  releaseByServer(reason: string): void {
    if (this.#released) return;
    this.calls.release(this.ref, reason);
    this.markReleased(reason);
  }

  /** Learned that the callback is gone (released, or its node lost): run the listeners once. */
  markReleased(reason: string): void {
    if (this.#released) return;
    this.#released = true;
    this.#reason = reason;
    for (const listener of this.#listeners?.splice(0) ?? []) {
      try {
        listener(reason);
      } catch {
        // A failing release listener must not keep the others from running.
      }
    }
  }

  /**
   * Like a local proxy: an awaited call resolves with the answer (true for a void method)
   * or rejects; a oneway call never rejects and resolves true once Redis took it for the
   * holding node, false when it was dropped (released, node lost, backplane down).
   */
  invoke(method: MethodDescriptor, args: readonly unknown[]): Promise<unknown> {
    if (method.oneway) return this.#notify(method, args);
    if (this.#released) return Promise.reject(this.#releasedError());
    let encodedArgs: JsonValue;
    try {
      encodedArgs = encodeCallbackArgs(method, args);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.calls.call(this.ref, method, encodedArgs).then(
      (result) => {
        const value = decodeCallbackResult(method, result ?? null);
        return method.returns === undefined ? true : value;
      },
      (error: unknown) => {
        if (error instanceof RpcError) this.#learnFrom(error);
        throw error;
      },
    );
  }

  async #notify(method: MethodDescriptor, args: readonly unknown[]): Promise<boolean> {
    if (this.#released) return false;
    try {
      await this.calls.call(this.ref, method, encodeCallbackArgs(method, args));
      return true;
    } catch (error) {
      if (error instanceof RpcError) this.#learnFrom(error);
      return false;
    }
  }

  #learnFrom(error: RpcError): void {
    if (error.code === ErrorCode.CallbackReleased) this.markReleased("released");
    const reason = (error.data as { reason?: unknown } | undefined)?.reason;
    if (error.code === ErrorCode.ConnectionClosed && reason === "node-lost") {
      this.markReleased("node-lost");
    }
  }

  #releasedError(): RpcError {
    return this.#reason === "node-lost"
      ? nodeLostError(this.ref.node)
      : new RpcError(ErrorCode.CallbackReleased, `callback ${this.id} is released`);
  }
}

/** -32007 with `data.reason` "node-lost": the node holding the client's socket is gone. */
export function nodeLostError(node: string): RpcError {
  return new RpcError(
    ErrorCode.ConnectionClosed,
    `node ${node}, which held the client's connection, is gone`,
    { reason: "node-lost" },
  );
}

/** -32007 with `data.reason` "backplane": the cluster transport cannot carry the call now. */
export function backplaneError(detail: string): RpcError {
  return new RpcError(ErrorCode.ConnectionClosed, `backplane unavailable: ${detail}`, {
    reason: "backplane",
  });
}
