/**
 * One direction of a session, sending side: assigns every message its `seq` (from 1, no
 * gaps), keeps each until the peer acknowledges it, counts the bytes kept, and after a
 * resume replays what the peer has not acknowledged, in order and with the original seq.
 * Conflatable messages wait unsequenced in a ConflationQueue while the stream is detached or
 * congested. Policy-free: the owner reads `bytes` and decides what a bound means.
 */
import { ConflationQueue } from "./conflation.js";
import type { Frame, SequenceEncoding } from "./frame.js";

/**
 * Where frames go while a socket is attached (the socket itself, on a server: no closure per
 * session); `bytes` is the frame's size, counted once.
 */
export interface Wire {
  write(frame: Frame, bytes: number): unknown;
}

interface Kept {
  readonly seq: number;
  readonly frame: Frame;
  readonly bytes: number;
}

export interface OutboundOptions {
  readonly encoding: SequenceEncoding;
  /**
   * Unacknowledged bytes from which the stream counts as congested: conflatable messages
   * then wait in the queue (where a newer one can replace them) until acks make room.
   */
  readonly congestedBytes: number;
}

export class OutboundStream {
  readonly #encoding: SequenceEncoding;
  readonly #congestedBytes: number;
  /** Kept messages, oldest first; `#head` is the index of the oldest still kept. */
  #kept: Kept[] = [];
  #head = 0;
  #keptBytes = 0;
  #nextSeq = 1;
  #queue: ConflationQueue | undefined;
  #wire: Wire | undefined;

  constructor(options: OutboundOptions) {
    this.#encoding = options.encoding;
    this.#congestedBytes = options.congestedBytes;
  }

  /** The seq of the last message sequenced (0 before any). */
  get lastSeq(): number {
    return this.#nextSeq - 1;
  }

  /** Bytes kept for replay plus bytes waiting in the conflation queue. */
  get bytes(): number {
    return this.#keptBytes + (this.#queue?.bytes ?? 0);
  }

  /** Messages kept until acknowledged. */
  get unackedCount(): number {
    return this.#kept.length - this.#head;
  }

  get attached(): boolean {
    return this.#wire !== undefined;
  }

  /**
   * Sends one message (a JSON-RPC object frame without `seq`). With `conflateKey` it may wait,
   * and be replaced by a newer message of the same key, while detached or congested.
   */
  send(frame: Frame, conflateKey?: string): void {
    const queue = this.#queue;
    if (queue !== undefined && queue.size > 0) {
      // Something waits already: everything after it waits too, so order holds.
      queue.push(frame, this.#encoding.byteLength(frame), conflateKey);
      return;
    }
    if (conflateKey !== undefined && this.#holdsBack()) {
      (this.#queue ??= new ConflationQueue()).push(
        frame,
        this.#encoding.byteLength(frame),
        conflateKey,
      );
      return;
    }
    this.#sequence(frame);
  }

  /**
   * The peer acknowledged everything up to `seq`. False when it acknowledges a seq never
   * sent (a protocol error).
   */
  ack(seq: number): boolean {
    if (seq > this.lastSeq) return false;
    this.#dropThrough(seq);
    this.#flushQueue();
    return true;
  }

  /**
   * A socket is attached and the peer said it received up to `peerAck`: the rest is replayed
   * on it, in order, then whatever waited in the queue follows. False when `peerAck` is ahead
   * of what was ever sent.
   */
  attach(wire: Wire, peerAck: number): boolean {
    if (peerAck > this.lastSeq) return false;
    this.#dropThrough(peerAck);
    this.#wire = wire;
    for (let i = this.#head; i < this.#kept.length && this.#wire === wire; i++) {
      const kept = this.#kept[i]!;
      wire.write(kept.frame, kept.bytes);
    }
    this.#flushQueue();
    return true;
  }

  /** The socket is gone; messages are kept (and conflated) until the next attach. */
  detach(): void {
    this.#wire = undefined;
  }

  /** The session ended: nothing will be replayed. */
  clear(): void {
    this.#wire = undefined;
    this.#kept = [];
    this.#head = 0;
    this.#keptBytes = 0;
    this.#queue?.clear();
  }

  #holdsBack(): boolean {
    return this.#wire === undefined || this.#keptBytes >= this.#congestedBytes;
  }

  #sequence(frame: Frame): void {
    const seq = this.#nextSeq++;
    const stamped = this.#encoding.stamp(frame, seq);
    const bytes = this.#encoding.byteLength(stamped);
    this.#kept.push({ seq, frame: stamped, bytes });
    this.#keptBytes += bytes;
    this.#wire?.write(stamped, bytes);
  }

  #flushQueue(): void {
    const queue = this.#queue;
    if (queue === undefined) return;
    while (queue.size > 0 && !this.#holdsBack()) this.#sequence(queue.shift()!.frame);
    if (queue.size === 0) this.#queue = undefined;
  }

  #dropThrough(seq: number): void {
    const kept = this.#kept;
    let head = this.#head;
    while (head < kept.length && kept[head]!.seq <= seq) {
      this.#keptBytes -= kept[head]!.bytes;
      head++;
    }
    if (head === kept.length) {
      this.#kept = [];
      this.#head = 0;
    } else if (head > 64 && head * 2 > kept.length) {
      // Compact now and then, so acknowledged messages do not stay referenced.
      this.#kept = kept.slice(head);
      this.#head = 0;
    } else {
      this.#head = head;
    }
  }
}
