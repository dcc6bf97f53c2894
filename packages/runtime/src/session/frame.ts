/**
 * The one place the session layer touches the message encoding: how a `seq` joins an
 * already encoded message, how several encoded messages become one batch frame, and how
 * many bytes a frame holds. The streams and the coalescer keep frames as opaque values, so
 * a binary encoding plugs in here without changing them.
 */

/** One encoded message as it goes on the wire: JSON text, or its UTF-8 bytes. */
export type Frame = string | Uint8Array;

export interface SequenceEncoding {
  /** `frame` with the top-level member `"seq": seq` added. */
  stamp(frame: Frame, seq: number): Frame;
  /** Bytes the frame takes on the wire (what the byte bounds count). */
  byteLength(frame: Frame): number;
  /**
   * One batch frame (a JSON-RPC batch: an array) holding the already encoded `frames`, in
   * order, each unchanged: nothing is decoded or encoded again. Takes at most
   * `frames.length + 5` bytes more than the frames themselves.
   */
  join(frames: readonly Frame[]): Frame;
}

/** The most `join` adds to the frames it joins (the coalescer's cap counts on it). */
export function joinOverhead(count: number): number {
  return count + 5;
}

const openBrace = 0x7b;
const openBracket = 0x5b;
const comma = 0x2c;
const closeBracket = 0x5d;
let encoder: TextEncoder | undefined;

/** Node's pooled buffers where there are some (small frames), plain arrays elsewhere. */
export const allocate: (size: number) => Uint8Array =
  typeof Buffer !== "undefined"
    ? (size) => Buffer.allocUnsafe(size)
    : (size) => new Uint8Array(size);

function utf8(text: string): Uint8Array {
  return (encoder ??= new TextEncoder()).encode(text);
}

/** UTF-8 length of a string, without encoding it. */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else {
      // 3 bytes for one unit; a surrogate pair is 4 bytes for its 2 units (and a lone
      // surrogate is written as U+FFFD, 3 bytes).
      bytes += 2;
      const next = text.charCodeAt(i + 1);
      if (code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  return bytes;
}

/**
 * JSON objects: `{"seq":7,` replaces the opening brace, so the member is spliced in without
 * parsing or re-encoding the message (a broadcast's shared frame stays shared up to here).
 */
export function jsonSequenceEncoding(
  byteLength: (text: string) => number = utf8Length,
): SequenceEncoding {
  return {
    stamp(frame, seq) {
      if (typeof frame === "string") {
        if (frame.charCodeAt(0) !== openBrace) throw new TypeError("not a JSON object");
        return `{"seq":${seq},${frame.slice(1)}`;
      }
      if (frame[0] !== openBrace) throw new TypeError("not a JSON object");
      // Every member of a broadcast goes through here: one (pooled) allocation, no encoder.
      const head = `{"seq":${seq},`;
      const stamped = allocate(head.length + frame.length - 1);
      for (let i = 0; i < head.length; i++) stamped[i] = head.charCodeAt(i);
      stamped.set(frame.subarray(1), head.length);
      return stamped;
    },
    byteLength(frame) {
      return typeof frame === "string" ? byteLength(frame) : frame.byteLength;
    },
    join(frames) {
      if (frames.every((frame) => typeof frame === "string")) {
        return `[${(frames as readonly string[]).join(",")}]`;
      }
      const parts = frames.map((frame) => (typeof frame === "string" ? utf8(frame) : frame));
      let size = parts.length + 1;
      for (const part of parts) size += part.byteLength;
      const joined = new Uint8Array(size);
      joined[0] = openBracket;
      let at = 1;
      for (let i = 0; i < parts.length; i++) {
        if (i > 0) joined[at++] = comma;
        joined.set(parts[i]!, at);
        at += parts[i]!.byteLength;
      }
      joined[at] = closeBracket;
      return joined;
    },
  };
}
