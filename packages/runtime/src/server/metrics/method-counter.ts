/**
 * The figures of one method since the server started: calls finished, failures by error
 * code, calls running, and latency. One counter per method is made when its service is
 * registered; a call only increments fields of it.
 */
import type { MethodDescriptor } from "../../descriptors.js";
import { LatencyHistogram, type LatencySnapshot } from "./latency-histogram.js";

/** `call`: a method of a registered service; `callback`: a callback method the server calls. */
export type MethodKind = "call" | "callback";

export interface MethodStats {
  /** JSON-RPC name, e.g. `chat.ChatRoom.say` (a callback method: `chat.ChatEvents.message`). */
  readonly name: string;
  readonly kind: MethodKind;
  /** Calls that finished, successfully or not. */
  readonly calls: number;
  /** Failed calls by JSON-RPC error code. */
  readonly errors: Readonly<Record<string, number>>;
  readonly inFlight: number;
  /** Awaited calls only (a `oneway` callback has no answer to wait for). */
  readonly latency: LatencySnapshot;
}

export class MethodCounter {
  #calls = 0;
  #inFlight = 0;
  /** Made on the first failure: most methods never fail. */
  #errors: Map<number, number> | undefined;
  readonly #latency = new LatencyHistogram();

  constructor(
    readonly method: MethodDescriptor,
    readonly kind: MethodKind,
  ) {}

  get name(): string {
    return this.method.wireName;
  }

  /** A call starts; pass the returned time to `succeeded` or `failed`. */
  start(): number {
    this.#inFlight++;
    return performance.now();
  }

  succeeded(startedAt: number): void {
    this.#inFlight--;
    this.#calls++;
    this.#latency.observe((performance.now() - startedAt) / 1000);
  }

  failed(startedAt: number, code: number): void {
    this.#inFlight--;
    this.#calls++;
    this.#latency.observe((performance.now() - startedAt) / 1000);
    this.#countError(code);
  }

  /** A `oneway` callback: queued (`code` undefined) or dropped with `code`. */
  sent(count: number, code?: number): void {
    this.#calls += count;
    if (code !== undefined) this.#countError(code, count);
  }

  #countError(code: number, count = 1): void {
    const errors = (this.#errors ??= new Map());
    errors.set(code, (errors.get(code) ?? 0) + count);
  }

  stats(): MethodStats {
    const errors: Record<string, number> = {};
    if (this.#errors !== undefined) for (const [code, n] of this.#errors) errors[code] = n;
    return {
      name: this.name,
      kind: this.kind,
      calls: this.#calls,
      errors,
      inFlight: this.#inFlight,
      latency: this.#latency.snapshot(),
    };
  }
}
