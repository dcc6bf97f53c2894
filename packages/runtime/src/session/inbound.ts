/**
 * One direction of a session, receiving side: accepts `last + 1`, drops what it has seen
 * (a replay's duplicates), reports a jump; and acknowledges what it accepted, at the latest
 * `maxDelayMs` after the first unacknowledged message, or after `maxMessages` messages or
 * `maxBytes` bytes, whichever comes first.
 */

export type SeqVerdict = "accept" | "duplicate" | "gap";

export interface AckPolicy {
  readonly maxDelayMs: number;
  readonly maxMessages: number;
  readonly maxBytes: number;
}

export const defaultAckPolicy: AckPolicy = { maxDelayMs: 1000, maxMessages: 64, maxBytes: 65_536 };

export class InboundStream {
  readonly #policy: AckPolicy;
  /** Sends `$/ack` for `seq`; false when no socket can take it (the ack then waits). */
  readonly #sendAck: (seq: number) => boolean;
  #last = 0;
  #acked = 0;
  #messages = 0;
  #bytes = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(sendAck: (seq: number) => boolean, policy: AckPolicy = defaultAckPolicy) {
    this.#sendAck = sendAck;
    this.#policy = policy;
  }

  /** The last seq accepted: what a resume tells the other side. */
  get last(): number {
    return this.#last;
  }

  /** Checks the seq of one received message of `bytes` bytes; an accepted one is due an ack. */
  receive(seq: number, bytes: number): SeqVerdict {
    if (seq <= this.#last) return "duplicate";
    if (seq !== this.#last + 1) return "gap";
    this.#last = seq;
    this.#messages++;
    this.#bytes += bytes;
    if (this.#messages >= this.#policy.maxMessages || this.#bytes >= this.#policy.maxBytes) {
      this.flush();
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.flush();
      }, this.#policy.maxDelayMs);
      (this.#timer as { unref?: () => void }).unref?.();
    }
    return "accept";
  }

  /** Acknowledges now whatever is accepted and not yet acknowledged. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#last === this.#acked) return;
    if (!this.#sendAck(this.#last)) return;
    this.#acked = this.#last;
    this.#messages = 0;
    this.#bytes = 0;
  }

  /**
   * A handshake on a new socket carried `last` to the other side: that counts as an ack
   * (the other side drops what it holds up to there).
   */
  acknowledgedByHandshake(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#acked = this.#last;
    this.#messages = 0;
    this.#bytes = 0;
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
