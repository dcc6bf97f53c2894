/**
 * The client's side of a session (see docs/sessions.md): its token, the two seq streams,
 * and the `@resubscribe` calls to make again if the session is lost. The connection
 * (ws.ts) owns the socket and the calls; this owns what makes a cut invisible.
 */
import type { ServiceDescriptor } from "../descriptors.js";
import type { WireEncoding } from "../encoding/types.js";
import { batchFeature } from "../session/coalescer.js";
import { jsonSequenceEncoding, type Frame, type SequenceEncoding } from "../session/frame.js";
import { msgpackSequenceEncoding } from "../session/msgpack-frame.js";
import {
  ackFrameIn,
  ackMethod,
  parseAck,
  sessionMethod,
  type SessionAnswer,
} from "../session/handshake.js";
import { InboundStream } from "../session/inbound.js";
import { OutboundStream, type Wire } from "../session/outbound.js";
import { SessionReason } from "../session/reasons.js";

const jsonFrames = jsonSequenceEncoding();
const msgpackFrames = msgpackSequenceEncoding();

/**
 * Frames of either encoding: the client writes JSON as strings and MessagePack as bytes,
 * so each frame says how its `seq` is stamped (a connection uses one encoding throughout).
 */
export const clientFrames: SequenceEncoding = {
  stamp: (frame, seq) =>
    typeof frame === "string" ? jsonFrames.stamp(frame, seq) : msgpackFrames.stamp(frame, seq),
  byteLength: (frame) =>
    typeof frame === "string" ? jsonFrames.byteLength(frame) : frame.byteLength,
  join: (frames) =>
    typeof frames[0] === "string" ? jsonFrames.join(frames) : msgpackFrames.join(frames),
};

/** A `@resubscribe` call that succeeded: made again, same arguments, after a lost session. */
export interface Subscription {
  readonly service: ServiceDescriptor<any>;
  readonly method: string;
  readonly args: readonly unknown[];
  /** The callback objects among `args`: the subscription is live while all are registered. */
  readonly callbacks: readonly object[];
}

/** What the connection learns from a `$/session` answer. */
export type SessionOutcome =
  | { readonly kind: "new" }
  | { readonly kind: "resumed" }
  | { readonly kind: "lost"; readonly reason: string }
  | { readonly kind: "invalid" };

/** What to do with one received message. */
export type Admission = "handle" | "drop" | "protocol-error";

export class ClientSession {
  #token: string | null = null;
  #outbound = new OutboundStream({ encoding: clientFrames, congestedBytes: Infinity });
  #inbound: InboundStream;
  readonly #sendRaw: (frame: Frame) => boolean;
  /** The encoding of the connection (known once its first socket opened). */
  readonly #encoding: () => WireEncoding;
  readonly #subscriptions = new Set<Subscription>();

  constructor(
    sendRaw: (frame: Frame) => boolean,
    /** Whether every handshake asks for coalesced frames. */
    readonly batch: boolean,
    encoding: () => WireEncoding,
  ) {
    this.#sendRaw = sendRaw;
    this.#encoding = encoding;
    this.#inbound = this.#newInbound();
  }

  /** True once a server answered with a session. */
  get established(): boolean {
    return this.#token !== null;
  }

  /** Bytes sent and not yet acknowledged by the server. */
  get unackedBytes(): number {
    return this.#outbound.bytes;
  }

  /** The first message on every socket, before anything sequenced. */
  handshake(): Frame {
    return this.#encoding().encode({
      jsonrpc: "2.0",
      id: 0,
      method: sessionMethod,
      params: {
        resume: this.#token,
        ack: this.#inbound.last,
        features: this.batch ? [batchFeature] : [],
      },
    });
  }

  /**
   * The server's answer to `handshake()` arrived on a socket whose writes go to `wire`. A
   * resumed session replays what the server lacks; a lost one starts over from seq 1.
   */
  answered(answer: SessionAnswer, wire: Wire): SessionOutcome {
    if (this.#token === null) {
      // A new session: what was sent meanwhile (numbered from 1) goes out now.
      this.#token = answer.session;
      this.#outbound.attach(wire, 0);
      return { kind: "new" };
    }
    if (answer.resumed) {
      if (!this.#outbound.attach(wire, answer.ack)) return { kind: "invalid" };
      this.#inbound.acknowledgedByHandshake();
      return { kind: "resumed" };
    }
    // Lost: nothing kept means anything to the new session (the connection sends again
    // what may be sent again).
    this.forget();
    this.#token = answer.session;
    this.#outbound.attach(wire, 0);
    return { kind: "lost", reason: answer.reason ?? SessionReason.Unknown };
  }

  /** The server ended the session: the next socket opens a new one. */
  forget(): void {
    this.#token = null;
    this.#outbound.clear();
    this.#outbound = new OutboundStream({ encoding: clientFrames, congestedBytes: Infinity });
    this.#inbound.stop();
    this.#inbound = this.#newInbound();
  }

  /** Sends (or, while detached, keeps for replay) one message. */
  send(frame: Frame): void {
    this.#outbound.send(frame);
  }

  /** The socket is gone: keep everything for the resume. */
  detach(): void {
    this.#outbound.detach();
  }

  /** The seq check of one received message (`$/ack` is handled here). */
  admit(value: unknown, bytes: number): Admission {
    const message = value as Record<string, unknown> | null;
    const seq = typeof message === "object" && message !== null ? message["seq"] : undefined;
    if (seq === undefined) {
      if (message?.["method"] !== ackMethod) return "protocol-error";
      const acked = parseAck(message["params"]);
      return acked !== undefined && this.#outbound.ack(acked) ? "drop" : "protocol-error";
    }
    if (typeof seq !== "number" || !Number.isSafeInteger(seq)) return "protocol-error";
    const verdict = this.#inbound.receive(seq, bytes);
    return verdict === "accept" ? "handle" : verdict === "duplicate" ? "drop" : "protocol-error";
  }

  // ---- @resubscribe ----------------------------------------------------------------

  remember(subscription: Subscription): void {
    this.#subscriptions.add(subscription);
  }

  /** A callback object was let go: the subscriptions it served are over. */
  forgetCallback(object: object): void {
    for (const subscription of this.#subscriptions) {
      if (subscription.callbacks.includes(object)) this.#subscriptions.delete(subscription);
    }
  }

  /** Takes out the subscriptions whose callbacks are all still live. */
  takeLive(isLive: (object: object) => boolean): Subscription[] {
    const live = [...this.#subscriptions].filter((s) => s.callbacks.every(isLive));
    this.#subscriptions.clear();
    return live;
  }

  /** The connection closed for good. */
  stop(): void {
    this.#inbound.stop();
    this.#outbound.clear();
    this.#subscriptions.clear();
  }

  #newInbound(): InboundStream {
    return new InboundStream({
      sendAck: (seq) => this.#sendRaw(ackFrameIn(this.#encoding(), seq)),
    });
  }
}
