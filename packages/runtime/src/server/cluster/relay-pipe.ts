/**
 * One direction of a relayed session: frames written in one turn of the event loop leave
 * in one backplane message, and messages leave in the order they were made (the backplane
 * delivers one sender's messages in order). The first failed send breaks the pipe for
 * good: nothing sent after a loss could be trusted to follow it without a gap, so the
 * relay is torn down and the session layer replays what was lost once the client resumes.
 */
import { relayedBytes, type RelayedFrame } from "./relay-messages.js";

/** Sends one message to the other node; rejects when the backplane did not take it. */
export type RelaySend = (message: object) => Promise<void>;

/**
 * Sends a control message (a close, a socket gone) to the other node; never rejects: one
 * the backplane cannot take now is sent again once it is back.
 */
export type RelayControl = (message: object) => void;

/** A batch leaves early beyond this many bytes, so that one message stays small. */
const batchBytes = 256 * 1024;

export class RelayPipe {
  readonly #send: RelaySend;
  readonly #sendControl: RelayControl;
  readonly #batch: (frames: RelayedFrame[]) => object;
  readonly #onBroken: (error: unknown) => void;
  #frames: RelayedFrame[] = [];
  #bytes = 0;
  #scheduled = false;
  #broken = false;

  constructor(
    send: RelaySend,
    sendControl: RelayControl,
    /** The message carrying a batch of frames. */
    batch: (frames: RelayedFrame[]) => object,
    /** Called once, at the first failed send. */
    onBroken: (error: unknown) => void,
  ) {
    this.#send = send;
    this.#sendControl = sendControl;
    this.#batch = batch;
    this.#onBroken = onBroken;
  }

  get broken(): boolean {
    return this.#broken;
  }

  /** Bytes queued for the next message (not yet handed to the backplane). */
  get pendingBytes(): number {
    return this.#bytes;
  }

  /** Queues a frame for this turn's message; false once the pipe is broken. */
  push(frame: RelayedFrame): boolean {
    if (this.#broken) return false;
    this.#frames.push(frame);
    this.#bytes += relayedBytes(frame);
    if (this.#bytes >= batchBytes) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        this.flush();
      });
    }
    return true;
  }

  /** Sends the queued frames now. */
  flush(): void {
    if (this.#frames.length === 0 || this.#broken) return;
    const frames = this.#frames;
    this.#frames = [];
    this.#bytes = 0;
    this.#transmit(this.#batch(frames));
  }

  /** Sends the control `message` after every frame queued before it. */
  control(message: object): void {
    this.flush();
    this.#sendControl(message);
  }

  #transmit(message: object): void {
    this.#send(message).catch((error: unknown) => {
      if (this.#broken) return;
      this.#broken = true;
      this.#frames = [];
      this.#bytes = 0;
      this.#onBroken(error);
    });
  }
}
