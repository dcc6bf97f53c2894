/**
 * On the node holding a client's socket whose session is owned by another node: reads the
 * socket in place of a session and forwards its frames there, and writes what comes back.
 * It understands nothing of the frames (seq, acks and replay are the session's, end to
 * end); it only keeps their order. Until the owner answered the resume, what the client
 * sends is held (a conforming client sends nothing before the answer).
 */
import type { JsonRpcId } from "../../protocol/jsonrpc.js";
import { CloseCode, type AttachmentReader, type WsAttachment } from "../ws-attachment.js";
import type { Frame } from "../../session/frame.js";
import { fromRelayed, relayedBytes, toRelayed, type RelayedFrame } from "./relay-messages.js";
import { RelayPipe, type RelayControl, type RelaySend } from "./relay-pipe.js";

/** What a client may send before the resume is answered, at most. */
const heldBytesLimit = 64 * 1024;

/** WebSocket close 1013 "Try Again Later": the client resumes again, with backoff. */
export const tryAgainLaterCode = 1013;

export interface LinkEnd {
  /** The link is over: forget it. */
  done(link: RelayLink): void;
  /** The owner refused the resume: a new session here, answering `requestId`. */
  openHere(socket: WsAttachment, requestId: JsonRpcId, reason: string): void;
}

export class RelayLink implements AttachmentReader {
  #state: "asking" | "open" | "done" = "asking";
  #held: Frame[] | undefined = [];
  #heldBytes = 0;
  readonly #pipe: RelayPipe;
  readonly #from: string;
  readonly #end: LinkEnd;

  constructor(
    readonly relay: string,
    /** The node owning the session. */
    readonly owner: string,
    readonly socket: WsAttachment,
    readonly requestId: JsonRpcId,
    /** This node. */
    from: string,
    send: RelaySend,
    sendControl: RelayControl,
    end: LinkEnd,
  ) {
    this.#end = end;
    this.#from = from;
    this.#pipe = new RelayPipe(
      send,
      sendControl,
      (frames) => ({ t: "relay-up", relay, from, frames }),
      () => this.unavailable("the session's node cannot be reached"),
    );
    socket.reader = this;
  }

  get open(): boolean {
    return this.#state === "open";
  }

  // ---- the client's socket ---------------------------------------------------------

  onFrame(frame: Frame): void {
    if (this.#state === "open") {
      this.#pipe.push(toRelayed(frame));
      return;
    }
    if (this.#state !== "asking") return;
    this.#heldBytes += typeof frame === "string" ? frame.length : frame.byteLength;
    if (this.#heldBytes > heldBytesLimit) {
      this.#gone(CloseCode.PolicyViolation, false);
      this.socket.close(CloseCode.PolicyViolation, "sent too much before the session answer");
      return;
    }
    this.#held!.push(frame);
  }

  onOverloaded(): void {
    this.#gone(CloseCode.PolicyViolation, true);
  }

  onDetached(_from: unknown, code: number): void {
    this.#gone(code, false);
  }

  // ---- the owner's answers -----------------------------------------------------------

  /** The owner resumed the session: what the client sent meanwhile goes there now. */
  resumed(): void {
    if (this.#state !== "asking") return;
    this.#state = "open";
    const held = this.#held!;
    this.#held = undefined;
    for (const frame of held) this.#pipe.push(toRelayed(frame));
  }

  /** The owner cannot resume it: the client gets a new session here, told `reason`. */
  refused(reason: string): void {
    if (this.#state !== "asking") return;
    const held = this.#held!;
    this.#finish();
    this.#end.openHere(this.socket, this.requestId, reason);
    // A client that did not wait for the answer: its messages go to the new session.
    for (const frame of held) this.socket.reader.onFrame(frame, this.socket);
  }

  down(frames: readonly RelayedFrame[]): void {
    if (this.#state === "asking") this.resumed(); // the owner's answer is among them
    if (this.#state !== "open") return;
    for (const frame of frames) this.socket.write(fromRelayed(frame));
  }

  close(code: number, reason: string): void {
    if (this.#state === "done") return;
    this.#finish();
    this.socket.close(code, reason);
  }

  /**
   * The owner cannot be reached (Redis down, no answer): the client is told to try again
   * later and resumes with backoff; its session waits on the owner for its window.
   */
  unavailable(detail: string): void {
    if (this.#state === "done") return;
    this.#gone(tryAgainLaterCode, false);
    this.socket.close(tryAgainLaterCode, detail.slice(0, 120));
  }

  /**
   * The client's socket is gone (or being closed here): the owner detaches the session.
   * Sent while still asking too: the owner then attaches and detaches at once, in order.
   */
  #gone(code: number, overloaded: boolean): void {
    if (this.#state === "done") return;
    const { relay } = this;
    this.#pipe.control({
      t: "relay-gone",
      relay,
      from: this.#from,
      code,
      ...(overloaded && { overloaded }),
    });
    this.#finish();
  }

  #finish(): void {
    if (this.#state === "done") return;
    this.#state = "done";
    this.#held = undefined;
    this.#end.done(this);
  }
}
