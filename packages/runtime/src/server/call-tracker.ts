/**
 * The HTTP calls in flight, so that `close()` can let them finish, then abort the ones that
 * outlive the grace period. Each call gets an AbortSignal that also fires when its client
 * goes away; the signal is made only when something reads it, since most calls finish
 * without anyone looking.
 */
import type { ServerResponse } from "node:http";

const trackedCall = Symbol("svcgen.trackedCall");

type TrackedResponse = ServerResponse & { [trackedCall]?: TrackedCall | undefined };

/** One listener for every watched response (`this` is the response): no closure per call. */
function onResponseClose(this: TrackedResponse): void {
  if (!this.writableFinished) this[trackedCall]?.abort();
}

/**
 * One HTTP call in flight. Until its signal is read, nobody can observe an abort, so the
 * disconnect of the client is watched only from then on.
 */
export class TrackedCall {
  /** Links of CallTracker's list of calls in flight (kept in the call: no allocation). */
  previous: TrackedCall | undefined = undefined;
  next: TrackedCall | undefined = undefined;
  readonly #res: TrackedResponse;
  #controller: AbortController | undefined;
  #aborted = false;

  constructor(res: ServerResponse) {
    this.#res = res;
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  /** Made on first read; already aborted when the call was aborted before. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort();
      else this.#watchDisconnect();
    }
    return this.#controller.signal;
  }

  abort(): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#controller?.abort();
  }

  /** Called once the call is answered. */
  release(): void {
    if (this.#res[trackedCall] !== this) return;
    this.#res.off("close", onResponseClose);
    this.#res[trackedCall] = undefined;
  }

  #watchDisconnect(): void {
    const res = this.#res;
    // The client may have gone already, before anyone was watching.
    if (res.destroyed) {
      if (!res.writableFinished) this.abort();
      return;
    }
    res[trackedCall] = this;
    res.on("close", onResponseClose);
  }
}

export class CallTracker {
  /** The calls in flight, a doubly linked list through the calls themselves. */
  #first: TrackedCall | undefined;
  #size = 0;
  readonly #idleWaiters: (() => void)[] = [];

  /** A call answered on `res`, aborted on client disconnect or by `abortAll()`; `finish` it. */
  start(res: ServerResponse): TrackedCall {
    const call = new TrackedCall(res);
    call.next = this.#first;
    if (this.#first !== undefined) this.#first.previous = call;
    this.#first = call;
    this.#size++;
    return call;
  }

  finish(call: TrackedCall): void {
    call.release();
    const { previous, next } = call;
    if (previous === undefined && this.#first !== call) return; // finished already
    if (previous === undefined) this.#first = next;
    else previous.next = next;
    if (next !== undefined) next.previous = previous;
    call.previous = undefined;
    call.next = undefined;
    this.#size--;
    if (this.#size === 0 && this.#idleWaiters.length > 0) {
      for (const wake of this.#idleWaiters.splice(0)) wake();
    }
  }

  /** Runs `work` with a signal aborted on client disconnect or by `abortAll()`. */
  async track<T>(res: ServerResponse, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const call = this.start(res);
    try {
      return await work(call.signal);
    } finally {
      this.finish(call);
    }
  }

  get size(): number {
    return this.#size;
  }

  /** Resolves when no call is in flight. */
  idle(): Promise<void> {
    if (this.#size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  abortAll(): void {
    // Collected first: an abort may finish its call (and unlink it) at once.
    const calls: TrackedCall[] = [];
    for (let call = this.#first; call !== undefined; call = call.next) calls.push(call);
    for (const call of calls) call.abort();
  }
}
