/**
 * One accepted WebSocket, attached to whoever reads it: at first the endpoint (which looks
 * at the first message for a `$/session` handshake), then a session. The attachment owns
 * only the socket: its listeners, liveness, corked writes, the slow-consumer bound on the
 * socket's own buffer, the close handshake, and, for a peer that accepts them, coalesced
 * frames (../session/coalescer.ts). Everything that outlives a socket belongs to the session.
 */
import type { Socket } from "node:net";
import type { WebSocket } from "ws";
import type { WireEncoding } from "../encoding/types.js";
import type { HeartbeatMember, HeartbeatSweep } from "../liveness/heartbeat.js";
import { Coalescer } from "../session/coalescer.js";
import type { Frame, SequenceEncoding } from "../session/frame.js";
import type { ResolvedServerOptions } from "./options.js";

/** WebSocket close codes of RFC 6455 used here. */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  UnsupportedData: 1003,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
} as const;

/** Who reads an attachment's frames and hears of its end. */
export interface AttachmentReader {
  /**
   * One frame from the peer, of the type its encoding takes (a string under `svc.json`,
   * bytes under `svc.msgpack`); frames of the other type never get here (closed with 1003).
   */
  onFrame(frame: string | Uint8Array, from: SessionSocket): void;
  /** The socket's unsent data went over `maxBufferedBytes`; it is being closed with 1008. */
  onOverloaded(from: SessionSocket): void;
  /** The socket closed (`code` as ws reports it: 1000, 1001, 1006, ...). */
  onDetached(from: SessionSocket, code: number): void;
}

/**
 * What a session needs of the socket it is attached to: a WebSocket of this node
 * (WsAttachment), or the socket of a client that resumed on another node, whose frames
 * that node relays through the backplane (cluster/relayed-socket.ts).
 */
export interface SessionSocket {
  /** Names the socket in logs. */
  readonly id: string;
  /** The encoding of every frame on it (the client's subprotocol). */
  readonly encoding: WireEncoding;
  readonly principal: unknown;
  readonly remoteAddress: string;
  /** Who reads the frames; replaced when a session takes the socket over. */
  reader: AttachmentReader;
  readonly isClosed: boolean;
  /** Bytes written and not yet handed to the operating system. */
  readonly bufferedAmount: number;
  /**
   * Writes one frame of its encoding (`bytes`: its size, when known); false when the socket
   * cannot take it.
   */
  write(frame: Frame, bytes?: number): boolean;
  /**
   * Present when the socket can coalesce: from now on what one turn writes leaves as batch
   * frames of `encoding` (the peer accepted `"batch"`).
   */
  coalesce?(encoding: SequenceEncoding): void;
  /** Starts closing; the reader hears `onDetached` once it is closed. */
  close(code: number, reason: string, graceMs?: number): void;
}

/** What a frame counts against the byte bounds: UTF-16 units of text, bytes of binary. */
export function frameSize(frame: string | Uint8Array): number {
  return typeof frame === "string" ? frame.length : frame.byteLength;
}

const attachmentOf = Symbol("svcgen.wsAttachment");

type OwnedSocket = WebSocket & { [attachmentOf]?: WsAttachment };

// Socket listeners shared by every attachment (`this` is the socket): no closures per socket.
function onSocketMessage(
  this: OwnedSocket,
  data: Buffer | ArrayBuffer | Buffer[],
  isBinary: boolean,
) {
  this[attachmentOf]?.receive(data, isBinary);
}
function onSocketPong(this: OwnedSocket): void {
  const attachment = this[attachmentOf];
  if (attachment !== undefined) attachment.unanswered = 0;
}
function onSocketClose(this: OwnedSocket, code: number): void {
  this[attachmentOf]?.socketClosed(code);
}
function onSocketError(this: OwnedSocket, error: Error): void {
  // ws closes the socket itself after a protocol error (1002, 1009, ...); we only log.
  this[attachmentOf]?.socketError(error);
}

let attachmentCounter = 0;

export class WsAttachment implements HeartbeatMember, SessionSocket {
  /** Names this socket in logs (a session keeps its id across sockets). */
  readonly id = `ws-${++attachmentCounter}`;
  readonly principal: unknown;
  readonly remoteAddress: string;
  /** The encoding negotiated at the upgrade (the subprotocol): every frame is in it. */
  readonly encoding: WireEncoding;
  /** Pings of the heartbeat since the last pong. */
  unanswered = 0;
  /** Who reads the frames; replaced when a session takes the socket over. */
  reader: AttachmentReader;

  readonly #socket: OwnedSocket;
  readonly #options: ResolvedServerOptions;
  readonly #heartbeat: HeartbeatSweep | undefined;
  readonly #onClosed: (attachment: WsAttachment) => void;
  /** Set once the socket stops taking frames (closing, closed or overloaded). */
  #closing = false;
  #closed = false;
  #closedPromise: Promise<void> | undefined;
  #resolveClosed: (() => void) | undefined;
  #forceTimer: ReturnType<typeof setTimeout> | undefined;
  /** The TCP socket is corked until the end of this turn of the event loop. */
  #corked = false;
  /** Set once the peer accepted coalesced frames: writes wait for the end of the turn. */
  #coalescer: Coalescer | undefined;
  /** Whether frames go out (and must come in) as binary frames. */
  readonly #binary: boolean;

  constructor(
    socket: WebSocket,
    encoding: WireEncoding,
    options: ResolvedServerOptions,
    principal: unknown,
    remoteAddress: string,
    reader: AttachmentReader,
    heartbeat: HeartbeatSweep | undefined,
    onClosed: (attachment: WsAttachment) => void,
  ) {
    this.#socket = socket as OwnedSocket;
    this.encoding = encoding;
    this.#binary = encoding.frameType === "binary";
    this.#options = options;
    this.principal = principal;
    this.remoteAddress = remoteAddress;
    this.reader = reader;
    this.#heartbeat = heartbeat;
    this.#onClosed = onClosed;
    this.#socket[attachmentOf] = this;
    socket.on("pong", onSocketPong);
    socket.on("message", onSocketMessage);
    socket.on("close", onSocketClose);
    socket.on("error", onSocketError);
    heartbeat?.add(this);
  }

  /** Resolves once the socket closed. */
  get closed(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return (this.#closedPromise ??= new Promise((resolve) => (this.#resolveClosed = resolve)));
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /** Bytes written and not yet handed to the operating system (corked, coalescing or waiting). */
  get bufferedAmount(): number {
    return this.#socket.bufferedAmount + (this.#coalescer?.pendingBytes ?? 0);
  }

  /** Whether the messages of a turn leave as one frame. */
  get coalescing(): boolean {
    return this.#coalescer !== undefined;
  }

  /**
   * The peer accepted coalesced frames (`"batch"` in `$/session`): from now on what is
   * written in one turn leaves as batch frames of `encoding`. Called after the handshake
   * answer is written, which therefore goes alone.
   */
  coalesce(encoding: SequenceEncoding): void {
    this.#coalescer ??= new Coalescer(encoding, this);
  }

  /**
   * Writes one message (bytes are its UTF-8; `bytes` its size, when known); false when the
   * socket cannot take it.
   */
  write(frame: Frame, bytes?: number): boolean {
    if (this.#closing || this.#socket.readyState !== this.#socket.OPEN) return false;
    const coalescer = this.#coalescer;
    // The first frame of a turn: what is still unsent now is what the peer failed to drain.
    if (!this.#corked && !coalescer?.inTurn && this.#overloaded()) return false;
    if (coalescer !== undefined) coalescer.push(frame, bytes);
    else this.#sendNow(frame);
    return true;
  }

  /** @internal FrameSink: a frame the coalescer made. */
  emitFrame(frame: Frame): void {
    this.#sendNow(frame);
  }

  /** @internal FrameSink: the rest of the turn's frames leave in one write (uncork). */
  cork(): void {
    this.#rawSocket()?.cork();
  }

  /** @internal */
  uncork(): void {
    this.#rawSocket()?.uncork();
  }

  #rawSocket(): Socket | undefined {
    const raw = (this.#socket as unknown as { _socket?: Socket | null })._socket;
    return raw == null || raw.destroyed ? undefined : raw;
  }

  #sendNow(frame: Frame): void {
    if (this.#socket.readyState !== this.#socket.OPEN) return;
    // A coalescer corks for itself (its first frame of a turn must leave at once:
    // session/coalescer.ts); this cork is for one frame per message.
    if (!this.#corked && this.#coalescer === undefined) this.#cork();
    if (typeof frame === "string") this.#socket.send(frame);
    else this.#socket.send(frame, { binary: this.#binary });
  }

  /** Starts a close handshake; a peer that does not finish it in time is cut off. */
  close(code: number, reason: string, graceMs: number = this.#options.closeGraceMs): void {
    // What was written before the close goes before it, as without coalescing.
    if (!this.#closing) this.#coalescer?.flush();
    this.#closing = true;
    this.#socket.close(code, reason);
    if (this.#forceTimer === undefined) {
      this.#forceTimer = setTimeout(() => this.#socket.terminate(), graceMs);
    }
  }

  // ---- HeartbeatMember -------------------------------------------------------------

  ping(): void {
    this.#socket.ping();
  }

  onDead(): void {
    this.#options.logger.info("websocket peer missed two pongs", { socket: this.id });
    this.#socket.terminate();
  }

  // ---- socket events (through the shared listeners above) --------------------------

  /** @internal One frame from the peer. */
  receive(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    if (this.#closing) return;
    if (isBinary !== this.#binary) {
      this.close(
        CloseCode.UnsupportedData,
        isBinary
          ? `binary frames are not supported under ${this.encoding.name}`
          : `text frames are not supported under ${this.encoding.name}`,
      );
      return;
    }
    const bytes = Buffer.isBuffer(data)
      ? data
      : Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.from(data);
    this.reader.onFrame(isBinary ? bytes : bytes.toString("utf8"), this);
  }

  /** @internal */
  socketError(error: Error): void {
    this.#options.logger.info("websocket error", { socket: this.id, error: error.message });
  }

  /** @internal */
  socketClosed(code: number): void {
    if (this.#closed) return;
    this.#closing = true;
    this.#closed = true;
    this.#coalescer?.stop();
    this.#heartbeat?.delete(this);
    clearTimeout(this.#forceTimer);
    this.reader.onDetached(this, code);
    this.#resolveClosed?.();
    this.#onClosed(this);
  }

  /**
   * Frames written in one turn of the event loop (the answers of a pipelined burst, the
   * pushes of a loop) leave in one write: cork now, uncork once the turn's work is done.
   */
  #cork(): void {
    const raw = this.#rawSocket();
    if (raw === undefined) return;
    raw.cork();
    this.#corked = true;
    process.nextTick(WsAttachment.#uncork, this, raw);
  }

  static #uncork(attachment: WsAttachment, raw: Socket): void {
    attachment.#corked = false;
    raw.uncork();
  }

  /**
   * A peer that does not read must not make the server hold its data without bound. Asked
   * before the first frame of a turn: the frames queued in one (corked) turn are not held
   * against a peer that had no chance to read them yet; what it left unsent since is.
   */
  #overloaded(): boolean {
    const limit = this.#options.limits.maxBufferedBytes;
    if (this.#socket.bufferedAmount <= limit) return false;
    this.#options.logger.warn("websocket closed: slow consumer", {
      socket: this.id,
      bufferedBytes: this.#socket.bufferedAmount,
    });
    // The close frame queues behind the unsent data; give it a moment, then cut off.
    this.close(
      CloseCode.PolicyViolation,
      "slow consumer",
      Math.min(this.#options.closeGraceMs, 2000),
    );
    this.reader.onOverloaded(this);
    return true;
  }
}
