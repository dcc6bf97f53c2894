/**
 * The one place the session layer touches the message encoding: how a `seq` joins an
 * already encoded message, and how many bytes a frame holds. The streams keep frames as
 * opaque values, so a binary encoding plugs in here without changing them.
 */

/** One encoded message as it goes on the wire: JSON text, or its UTF-8 bytes. */
export type Frame = string | Uint8Array;

export interface SequenceEncoding {
  /** `frame` with the top-level member `"seq": seq` added. */
  stamp(frame: Frame, seq: number): Frame;
  /** Bytes the frame takes on the wire (what the byte bounds count). */
  byteLength(frame: Frame): number;
}

const openBrace = 0x7b;
let encoder: TextEncoder | undefined;

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
      const head = (encoder ??= new TextEncoder()).encode(`{"seq":${seq},`);
      const stamped = new Uint8Array(head.length + frame.length - 1);
      stamped.set(head, 0);
      stamped.set(frame.subarray(1), head.length);
      return stamped;
    },
    byteLength(frame) {
      return typeof frame === "string" ? byteLength(frame) : frame.byteLength;
    },
  };
}
