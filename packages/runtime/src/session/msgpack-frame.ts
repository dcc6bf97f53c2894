/**
 * The SequenceEncoding of `svc.msgpack` (PROTOCOL.md, "Binary encoding"): a message is one
 * MessagePack map, so a `seq` joins it by rewriting the map header (one entry more) and
 * putting `"seq": n` first; a batch is an array header followed by the messages' bytes.
 * Neither decodes nor encodes the messages themselves.
 */
import { allocate, type Frame, type SequenceEncoding } from "./frame.js";

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

/** Entries of the map whose header starts `frame` (its length: `mapHeaderLength`). */
function mapEntries(frame: Uint8Array): number {
  const first = frame[0];
  if (first !== undefined && (first & 0xf0) === fixmap) return first & 0x0f;
  if (first === map16 && frame.length >= 3) return (frame[1]! << 8) | frame[2]!;
  if (first === map32 && frame.length >= 5) return readUint32(frame, 1);
  throw new TypeError("not a MessagePack map");
}

function mapHeaderLength(first: number): number {
  return first === map16 ? 3 : first === map32 ? 5 : 1;
}

function readUint32(bytes: Uint8Array, at: number): number {
  return (
    ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0
  );
}

/** Writes a big-endian unsigned integer of `size` bytes at `at`. */
function writeBigEndian(out: Uint8Array, at: number, n: number, size: number): number {
  for (let i = size - 1; i >= 0; i--) {
    out[at + i] = n & 0xff;
    n = Math.floor(n / 0x100);
  }
  return at + size;
}

/** Bytes of the shortest header of a map (or array) of `entries` entries. */
function headerLength(entries: number): number {
  return entries < 16 ? 1 : entries < 0x10000 ? 3 : 5;
}

/** The shortest header of a map or an array (`short` is fixmap or fixarray) at `at`. */
function writeHeader(out: Uint8Array, at: number, entries: number, short: number): number {
  if (entries < 16) {
    out[at] = short | entries;
    return at + 1;
  }
  const wide = entries < 0x10000;
  out[at] = short === fixmap ? (wide ? map16 : map32) : wide ? array16 : array32;
  return writeBigEndian(out, at + 1, entries, wide ? 2 : 4);
}

/** Bytes of `n` (a non-negative safe integer) as the shortest MessagePack unsigned integer. */
function uintLength(n: number): number {
  return n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n < 0x100000000 ? 5 : 9;
}

function writeUint(out: Uint8Array, at: number, n: number): number {
  if (n < 0x80) {
    out[at] = n;
    return at + 1;
  }
  const size = uintLength(n) - 1;
  out[at] = size === 1 ? 0xcc : size === 2 ? 0xcd : size === 4 ? 0xce : 0xcf;
  return writeBigEndian(out, at + 1, n, size);
}

export function msgpackSequenceEncoding(): SequenceEncoding {
  return {
    // Once per message sent in a session: sizes first, then one (pooled) allocation.
    stamp(frame, seq) {
      const bytes = bytesOf(frame);
      const entries = mapEntries(bytes);
      const skip = mapHeaderLength(bytes[0]!);
      const head = headerLength(entries + 1) + seqKey.length + uintLength(seq);
      const stamped = allocate(head + bytes.length - skip);
      let at = writeHeader(stamped, 0, entries + 1, fixmap);
      for (const byte of seqKey) stamped[at++] = byte;
      writeUint(stamped, at, seq);
      stamped.set(bytes.subarray(skip), head);
      return stamped;
    },
    byteLength(frame) {
      return bytesOf(frame).byteLength;
    },
    join(frames) {
      let size = headerLength(frames.length);
      for (const frame of frames) size += bytesOf(frame).byteLength;
      const joined = allocate(size);
      let at = writeHeader(joined, 0, frames.length, fixarray);
      for (const frame of frames) {
        joined.set(frame as Uint8Array, at);
        at += (frame as Uint8Array).byteLength;
      }
      return joined;
    },
  };
}
