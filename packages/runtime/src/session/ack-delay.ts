/**
 * The delayed acks of every inbound stream of the process, with one timer per delay value
 * instead of one per stream: a server with 100,000 sessions, each acking a second after the
 * first unacknowledged message, would otherwise hold a `Timeout` (and its closure) for each
 * session that received anything in the last second.
 *
 * Streams with the same delay fall due in the order they were queued, so each delay keeps a
 * queue and one timer for its head. A stream that acknowledged early (its count or byte
 * bound) stays in the queue and is passed over when its turn comes.
 *
 * The caller sets `ackDueAt` to the time `delayAck` returns, before anything else runs.
 */

export interface DelayedAck {
  /** When the stream's ack is due (Date.now() time); undefined when none is. */
  readonly ackDueAt: number | undefined;
  /** The delay passed: acknowledge now. */
  ackDue(): void;
}

class DelayQueue {
  readonly #delayMs: number;
  /** Streams and the due time each was queued with (two arrays: no object per entry). */
  #streams: DelayedAck[] = [];
  #dueAt: number[] = [];
  #head = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(delayMs: number) {
    this.#delayMs = delayMs;
  }

  /** Queues `stream`, whose `ackDueAt` is now `dueAt`. */
  add(stream: DelayedAck, dueAt: number): void {
    this.#streams.push(stream);
    this.#dueAt.push(dueAt);
    if (this.#timer === undefined) this.#arm(this.#delayMs);
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, ms));
    (this.#timer as { unref?: () => void }).unref?.();
  }

  #fire(): void {
    this.#timer = undefined;
    const now = Date.now();
    const streams = this.#streams;
    const dueAt = this.#dueAt;
    while (this.#head < streams.length) {
      const due = dueAt[this.#head]!;
      // Nothing is due later than one delay from now, unless the clock went back: then it is.
      if (due > now && due - now <= this.#delayMs) {
        this.#arm(due - now);
        break;
      }
      const stream = streams[this.#head]!;
      this.#head++;
      // Acknowledged early since (and perhaps queued again, further back): passed over.
      if (stream.ackDueAt === due) stream.ackDue();
    }
    if (this.#head === streams.length) {
      this.#streams = [];
      this.#dueAt = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > streams.length) {
      this.#streams = streams.slice(this.#head);
      this.#dueAt = dueAt.slice(this.#head);
      this.#head = 0;
    }
  }
}

const queues = new Map<number, DelayQueue>();

/**
 * Calls `stream.ackDue()` once `delayMs` have passed, if its `ackDueAt` is then still the
 * time returned here.
 */
export function delayAck(stream: DelayedAck, delayMs: number): number {
  let queue = queues.get(delayMs);
  if (queue === undefined) queues.set(delayMs, (queue = new DelayQueue(delayMs)));
  // Wall-clock time, not performance.now(): fake timers in tests move it.
  const dueAt = Date.now() + delayMs;
  queue.add(stream, dueAt);
  return dueAt;
}
