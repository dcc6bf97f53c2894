import type { MethodDescriptor, ServiceDescriptor } from "../descriptors.js";
import { ErrorCode } from "../protocol/codes.js";
import { RpcError } from "../protocol/errors.js";

/** Per-call options of every generated client method. */
export interface CallOptions {
  /** Aborting rejects the call with -32002 (and, over WebSocket, sends `$/cancel`). */
  readonly signal?: AbortSignal;
  /** Overrides the connection's `timeoutMs` for this call; rejects with -32003. */
  readonly timeoutMs?: number;
}

/**
 * A transport as generated clients see it: `connectHttp` and `connectWebSocket` both
 * return one. `args` are the method's arguments in IDL order (`undefined` for an
 * omitted optional one); callbacks are plain objects implementing the callback interface.
 */
export interface Connection {
  call<R>(
    service: ServiceDescriptor<any>,
    method: string,
    args: readonly unknown[],
    options?: CallOptions,
  ): Promise<R>;
  close(): Promise<void>;
}

/** `service`'s method `methodName`, or -32601: the first step of every connection's `call`. */
export function methodOf(service: ServiceDescriptor<any>, methodName: string): MethodDescriptor {
  const method = service.methods.get(methodName);
  if (method === undefined) {
    throw new RpcError(ErrorCode.MethodNotFound, `${service.name} has no method ${methodName}`);
  }
  return method;
}
