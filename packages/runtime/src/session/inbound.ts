/**
 * One direction of a session, receiving side: accepts `last + 1`, drops what it has seen
 * (a replay's duplicates), reports a jump; and acknowledges what it accepted, at the latest
 * `maxDelayMs` after the first unacknowledged message, or after `maxMessages` messages or
 * `maxBytes` bytes, whichever comes first.
 */

import { delayAck, type DelayedAck } from "./ack-delay.js";

export type SeqVerdict = "accept" | "duplicate" | "gap";

export interface AckPolicy {
  readonly maxDelayMs: number;
  readonly maxMessages: number;
  readonly maxBytes: number;
}

export const defaultAckPolicy: AckPolicy = { maxDelayMs: 1000, maxMessages: 64, maxBytes: 65_536 };

/** Where a stream's acks go. */
export interface AckSender {
  /** Sends `$/ack` for `seq`; false when no socket can take it (the ack then waits). */
  sendAck(seq: number): boolean;
}

export class InboundStream implements DelayedAck {
  readonly #policy: AckPolicy;
  readonly #sender: AckSender;
  #last = 0;
  #acked = 0;
  #messages = 0;
  #bytes = 0;
  /** When the delayed ack is due (one shared timer per delay: ack-delay.ts). */
  #ackDueAt: number | undefined;

  constructor(sender: AckSender, policy: AckPolicy = defaultAckPolicy) {
    this.#sender = sender;
    this.#policy = policy;
  }

  get ackDueAt(): number | undefined {
    return this.#ackDueAt;
  }

  /** @internal The delay passed. */
  ackDue(): void {
    this.flush();
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
    } else if (this.#ackDueAt === undefined) {
      this.#ackDueAt = delayAck(this, this.#policy.maxDelayMs);
    }
    return "accept";
  }

  /** Acknowledges now whatever is accepted and not yet acknowledged. */
  flush(): void {
    this.#ackDueAt = undefined;
    if (this.#last === this.#acked) return;
    if (!this.#sender.sendAck(this.#last)) return;
    this.#acked = this.#last;
    this.#messages = 0;
    this.#bytes = 0;
  }

  /**
   * A handshake on a new socket carried `last` to the other side: that counts as an ack
   * (the other side drops what it holds up to there).
   */
  acknowledgedByHandshake(): void {
    this.#ackDueAt = undefined;
    this.#acked = this.#last;
    this.#messages = 0;
    this.#bytes = 0;
  }

  stop(): void {
    this.#ackDueAt = undefined;
  }
}
