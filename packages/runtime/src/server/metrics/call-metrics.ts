/**
 * Per-method figures of one server: a MethodCounter for every method of every registered
 * service and of the callbacks they take (made at `register`), and the last failures. The
 * dispatcher feeds the calls, callback proxies and groups feed the callbacks.
 */
import type { CallbackDescriptor, MethodDescriptor, ServiceDescriptor } from "../../descriptors.js";
import type { RpcError } from "../../protocol/errors.js";
import { MethodCounter, type MethodKind } from "./method-counter.js";

/** How many recent failures are kept (the oldest is forgotten first). */
export const recentErrorsKept = 50;

export interface RecentError {
  readonly at: Date;
  /** JSON-RPC name of the method or callback method. */
  readonly method: string;
  readonly code: number;
  /** The message the client was sent (never a stack or an exception's own text). */
  readonly message: string;
  /** The incident id of an internal error (-32603), as logged. */
  readonly incident?: string;
}

export class CallMetrics {
  readonly #counters = new Map<MethodDescriptor, MethodCounter>();
  /** A ring: `#recentNext` is where the next failure goes. */
  readonly #recent: (RecentError | undefined)[] = new Array(recentErrorsKept);
  #recentNext = 0;

  /** Makes the counters of a service's methods and of the callbacks they take. */
  addService(service: ServiceDescriptor): void {
    for (const method of service.methods.values()) {
      this.counter(method, "call");
      for (const param of method.params) {
        if (param.callback !== undefined) this.addCallback(param.callback);
      }
    }
  }

  addCallback(callback: CallbackDescriptor): void {
    for (const method of callback.methods.values()) this.counter(method, "callback");
  }

  /** The counter of `method`, made on first use (a callback type no service names). */
  counter(method: MethodDescriptor, kind: MethodKind = "callback"): MethodCounter {
    let counter = this.#counters.get(method);
    if (counter === undefined) {
      counter = new MethodCounter(method, kind);
      this.#counters.set(method, counter);
    }
    return counter;
  }

  /** Counts a failed call or awaited callback and keeps it among the recent failures. */
  failed(counter: MethodCounter, startedAt: number, error: RpcError): void {
    counter.failed(startedAt, error.code);
    this.remember(counter.name, error);
  }

  remember(method: string, error: RpcError): void {
    const incident = (error.data as { incident?: unknown } | undefined)?.incident;
    this.#recent[this.#recentNext] = {
      at: new Date(),
      method,
      code: error.code,
      message: error.message,
      ...(typeof incident === "string" && { incident }),
    };
    this.#recentNext = (this.#recentNext + 1) % recentErrorsKept;
  }

  counters(): IterableIterator<MethodCounter> {
    return this.#counters.values();
  }

  /** The recent failures, newest first. */
  recentErrors(): RecentError[] {
    const out: RecentError[] = [];
    for (let i = 1; i <= recentErrorsKept; i++) {
      const entry = this.#recent[(this.#recentNext - i + recentErrorsKept) % recentErrorsKept];
      if (entry === undefined) break;
      out.push(entry);
    }
    return out;
  }
}
