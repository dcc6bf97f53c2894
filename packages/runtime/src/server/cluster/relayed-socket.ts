/**
 * On the node that owns a session: the client's socket when it is held by another node,
 * which relays its frames (see session-relays.ts). The session is attached to it as to a
 * WebSocket of its own: it writes frames, reads the client's, and hears of the socket's end.
 */
import type { WireEncoding } from "../../encoding/types.js";
import type { Frame } from "../../session/frame.js";
import { detachedReader } from "../ws-session.js";
import type { AttachmentReader, SessionSocket } from "../ws-attachment.js";
import { fromRelayed, toRelayed, type RelayedFrame } from "./relay-messages.js";
import { RelayPipe, type RelayControl, type RelaySend } from "./relay-pipe.js";
import { tryAgainLaterCode } from "./relay-link.js";

/** The close code a session hears when its relay broke (as for a socket cut off). */
export const relayBrokenCode = 1006;

export class RelayedSocket implements SessionSocket {
  readonly id: string;
  reader: AttachmentReader = detachedReader;
  readonly #pipe: RelayPipe;
  readonly #onClosed: (socket: RelayedSocket) => void;
  #closed = false;

  constructor(
    /** The node holding the client's socket. */
    readonly node: string,
    /** Its name for the relay. */
    readonly relay: string,
    readonly principal: unknown,
    readonly remoteAddress: string,
    /** The encoding of the client's socket on the other node. */
    readonly encoding: WireEncoding,
    send: RelaySend,
    sendControl: RelayControl,
    /** The relay is over: forget the socket. */
    onClosed: (socket: RelayedSocket) => void,
  ) {
    this.id = `relay-${relay}@${node}`;
    this.#onClosed = onClosed;
    this.#pipe = new RelayPipe(
      send,
      sendControl,
      (frames) => ({ t: "relay-down", relay, frames }),
      () => {
        // Redis lost a message (or is down): the relay is over. The other node is told to
        // close the client's socket (once Redis is back); the client then resumes.
        sendControl(closeMessage(relay, tryAgainLaterCode, "relay broken"));
        this.peerGone(relayBrokenCode);
      },
    );
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  get bufferedAmount(): number {
    return this.#pipe.pendingBytes;
  }

  write(frame: Frame): boolean {
    if (this.#closed) return false;
    return this.#pipe.push(toRelayed(frame));
  }

  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pipe.control(closeMessage(this.relay, code, reason));
    this.#onClosed(this);
    // Like a socket's close event: heard after the caller is done closing.
    setImmediate(() => this.reader.onDetached(this, code));
  }

  /** Frames the client sent, in order. */
  receive(frames: readonly RelayedFrame[]): void {
    for (const frame of frames) {
      if (this.#closed) return;
      const received = fromRelayed(frame);
      // The client's frames are of its encoding's type (its node refused any other).
      const text = this.encoding.frameType === "text" && typeof received !== "string";
      this.reader.onFrame(text ? Buffer.from(received).toString("utf8") : received, this);
    }
  }

  /**
   * The client's socket closed on the other node with `code`, or the relay is gone
   * (`relayBrokenCode`); `overloaded`: the client did not read its frames.
   */
  peerGone(code: number, overloaded = false): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClosed(this);
    if (overloaded) this.reader.onOverloaded(this);
    this.reader.onDetached(this, code);
  }
}

function closeMessage(relay: string, code: number, reason: string): object {
  return { t: "relay-close", relay, code, reason };
}
