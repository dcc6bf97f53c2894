/**
 * Coalesced frames (PROTOCOL.md, "Coalesced frames"): the messages written to one socket in
 * one turn of the event loop leave as one batch frame, so what a frame costs (its header,
 * the client's masking, a syscall, the receiver's parse of a small string) is paid once per
 * batch instead of once per message. Nothing waits for more to come: the frame goes at the
 * end of the turn that wrote its first message. A frame holds at most `maxFrameBytes` and
 * `maxMessages` messages (a larger burst is split, in order); a message larger than a
 * frame goes alone, as does a message that is alone in its turn (no batch of one).
 *
 * The first frame of a turn leaves as soon as it holds 32 messages, mid-turn, rather than
 * at the end of the turn: the peer (another process, usually on another core) starts on
 * those while this side writes the rest. With 64 calls in flight, frames that left only at
 * the end of the turn made client and server take turns (each idle while the other worked
 * through the whole burst); an early first frame lets them overlap (bench/FINDINGS.md,
 * ws-pipelined). Later frames of the turn hold up to 100 messages and, when the sink can
 * cork, are corked until the turn ends: a burst of 100,000 pushes still leaves in one
 * write after its first frame, not one write per frame.
 *
 * One coalescer serves one socket: frames of different sockets never mix.
 */
import { joinOverhead, type Frame, type SequenceEncoding } from "./frame.js";
import { atTurnEnd, type TurnEndTask } from "./turn-end.js";

/** The feature a peer names in `$/session` to accept coalesced frames. */
export const batchFeature = "batch";

/**
 * The most a coalesced frame may hold: 64 KiB and 100 messages (the default `maxBatchSize`
 * of a server, which offers `"batch"` only when it accepts that many).
 */
export const coalescedFrameBytes = 64 * 1024;
export const coalescedFrameMessages = 100;

/** The messages after which the first frame of a turn leaves, mid-turn (see above). */
export const firstFrameMessages = 32;

/** Runs `flush` once the current turn's work is done (tests end turns by hand). */
export type TurnScheduler = (flush: () => void) => void;

export interface CoalescerOptions {
  readonly maxFrameBytes?: number;
  readonly maxMessages?: number;
  /** Messages after which the first frame of a turn leaves (at most `maxMessages`). */
  readonly firstFrameMessages?: number;
  /** When the turn ends; by default the end of the event loop's turn (turn-end.ts). */
  readonly schedule?: TurnScheduler;
}

/** Where a coalescer's frames go: the socket (on a server, its attachment: no closure each). */
export interface FrameSink {
  /** Writes one frame; called in order, never re-entered. */
  emitFrame(frame: Frame): void;
  /** Holds further writes back until `uncork` (a turn's later frames leave in one write). */
  cork?(): void;
  uncork?(): void;
}

export class Coalescer implements TurnEndTask {
  readonly #encoding: SequenceEncoding;
  readonly #sink: FrameSink;
  readonly #maxFrameBytes: number;
  readonly #maxMessages: number;
  readonly #firstFrameMessages: number;
  readonly #schedule: TurnScheduler | undefined;
  /** Frames sent in this turn so far. */
  #sentInTurn = 0;
  #corked = false;
  #frames: Frame[] = [];
  /** Bytes of the frames waiting (without the batch's own). */
  #bytes = 0;
  #scheduled = false;
  #stopped = false;

  constructor(encoding: SequenceEncoding, sink: FrameSink, options: CoalescerOptions = {}) {
    this.#encoding = encoding;
    this.#sink = sink;
    this.#maxFrameBytes = options.maxFrameBytes ?? coalescedFrameBytes;
    this.#maxMessages = options.maxMessages ?? coalescedFrameMessages;
    this.#firstFrameMessages = Math.min(
      options.firstFrameMessages ?? firstFrameMessages,
      this.#maxMessages,
    );
    this.#schedule = options.schedule;
  }

  /** Bytes written and not yet handed to the socket. */
  get pendingBytes(): number {
    return this.#bytes;
  }

  /** Whether messages wait for the end of the turn. */
  get pending(): boolean {
    return this.#frames.length > 0;
  }

  /**
   * Whether this turn has written (the end-of-turn flush is still to come), even when its
   * full frames have already left.
   */
  get inTurn(): boolean {
    return this.#scheduled;
  }

  /** Takes one encoded message of `bytes` bytes (counted when not given). */
  push(frame: Frame, bytes: number = this.#encoding.byteLength(frame)): void {
    if (this.#stopped) return;
    const count = this.#frames.length;
    if (bytes + joinOverhead(1) > this.#maxFrameBytes) {
      // Too large to share a frame: what waits goes first, then it alone.
      this.flush();
      this.#emit(frame);
      return;
    }
    if (count > 0 && this.#bytes + bytes + joinOverhead(count + 1) > this.#maxFrameBytes) {
      this.flush();
    }
    this.#frames.push(frame);
    this.#bytes += bytes;
    if (!this.#scheduled) {
      this.#scheduled = true;
      if (this.#schedule === undefined) atTurnEnd(this);
      else this.#schedule(() => this.turnEnded());
    }
    // Full: it leaves now, and (the first of the turn) the peer can start on it.
    const full = this.#sentInTurn === 0 ? this.#firstFrameMessages : this.#maxMessages;
    if (this.#frames.length >= full) this.flush();
  }

  /** The end of a turn in which messages were pushed: what waits leaves. */
  turnEnded(): void {
    this.#scheduled = false;
    this.flush();
    this.#sentInTurn = 0;
    if (this.#corked) {
      this.#corked = false;
      this.#sink.uncork?.();
    }
  }

  /** Sends what waits now (before a close frame, say). */
  flush(): void {
    const frames = this.#frames;
    if (frames.length === 0) return;
    this.#frames = [];
    this.#bytes = 0;
    this.#emit(frames.length === 1 ? frames[0]! : this.#encoding.join(frames));
  }

  #emit(frame: Frame): void {
    // After the turn's first frame, the rest of the turn is corked (see above).
    if (this.#sentInTurn++ > 0 && !this.#corked && this.#scheduled && this.#sink.cork) {
      this.#corked = true;
      this.#sink.cork();
    }
    this.#sink.emitFrame(frame);
  }

  /** The socket is gone: what waits is dropped, and nothing more is taken. */
  stop(): void {
    this.#stopped = true;
    this.#frames = [];
    this.#bytes = 0;
  }
}
