/**
 * The SequenceEncoding of `svc.msgpack` (PROTOCOL.md, "Binary encoding"): a message is one
 * MessagePack map, so a `seq` joins it by rewriting the map header (one entry more) and
 * putting `"seq": n` first; a batch is an array header followed by the messages' bytes.
 * Neither decodes nor encodes the messages themselves.
 */
import type { Frame, SequenceEncoding } from "./frame.js";

const fixmap = 0x80;
const map16 = 0xde;
const map32 = 0xdf;
const fixarray = 0x90;
const array16 = 0xdc;
const array32 = 0xdd;
/** The str key `"seq"`: fixstr of 3 bytes. */
const seqKey = [0xa3, 0x73, 0x65, 0x71] as const;

function bytesOf(frame: Frame): Uint8Array {
  if (typeof frame === "string") throw new TypeError("a MessagePack frame is bytes, not text");
  return frame;
}

/** Entries of the map whose header starts `frame`, and the header's length. */
function mapHeader(frame: Uint8Array): { entries: number; length: number } {
  const first = frame[0];
  if (first !== undefined && (first & 0xf0) === fixmap) return { entries: first & 0x0f, length: 1 };
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (first === map16 && frame.length >= 3) return { entries: view.getUint16(1), length: 3 };
  if (first === map32 && frame.length >= 5) return { entries: view.getUint32(1), length: 5 };
  throw new TypeError("not a MessagePack map");
}

/** The shortest header of a map of `entries` entries. */
function writeMapHeader(entries: number, out: number[]): void {
  if (entries < 16) out.push(fixmap | entries);
  else if (entries < 0x10000) out.push(map16, entries >>> 8, entries & 0xff);
  else
    out.push(
      map32,
      entries >>> 24,
      (entries >>> 16) & 0xff,
      (entries >>> 8) & 0xff,
      entries & 0xff,
    );
}

/** `seq` (a non-negative safe integer) as the shortest MessagePack unsigned integer. */
function writeUint(n: number, out: number[]): void {
  if (n < 0x80) out.push(n);
  else if (n < 0x100) out.push(0xcc, n);
  else if (n < 0x10000) out.push(0xcd, n >>> 8, n & 0xff);
  else if (n < 0x100000000) out.push(0xce, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  else {
    const high = Math.floor(n / 0x100000000);
    const low = n >>> 0;
    out.push(0xcf, high >>> 24, (high >>> 16) & 0xff, (high >>> 8) & 0xff, high & 0xff);
    out.push(low >>> 24, (low >>> 16) & 0xff, (low >>> 8) & 0xff, low & 0xff);
  }
}

function arrayHeader(count: number): number[] {
  if (count < 16) return [fixarray | count];
  if (count < 0x10000) return [array16, count >>> 8, count & 0xff];
  return [array32, count >>> 24, (count >>> 16) & 0xff, (count >>> 8) & 0xff, count & 0xff];
}

export function msgpackSequenceEncoding(): SequenceEncoding {
  return {
    stamp(frame, seq) {
      const bytes = bytesOf(frame);
      const { entries, length } = mapHeader(bytes);
      const head: number[] = [];
      writeMapHeader(entries + 1, head);
      head.push(...seqKey);
      writeUint(seq, head);
      const stamped = new Uint8Array(head.length + bytes.length - length);
      stamped.set(head, 0);
      stamped.set(bytes.subarray(length), head.length);
      return stamped;
    },
    byteLength(frame) {
      return bytesOf(frame).byteLength;
    },
    join(frames) {
      const header = arrayHeader(frames.length);
      let size = header.length;
      for (const frame of frames) size += bytesOf(frame).byteLength;
      const joined = new Uint8Array(size);
      joined.set(header, 0);
      let at = header.length;
      for (const frame of frames) {
        joined.set(frame as Uint8Array, at);
        at += (frame as Uint8Array).byteLength;
      }
      return joined;
    },
  };
}
