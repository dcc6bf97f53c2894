/**
 * `seq` for MessagePack frames: the map header's count goes up by one and `"seq": n` is
 * written right after it, so a message is stamped without being decoded or re-encoded (a
 * broadcast's shared frame stays shared up to here). The stamped map starts with `seq`, as
 * a stamped JSON object does.
 */
import type { Frame, SequenceEncoding } from "./frame.js";

/** fixstr "seq" */
const seqKey = [0xa3, 0x73, 0x65, 0x71];

export function msgpackSequenceEncoding(): SequenceEncoding {
  return {
    stamp(frame, seq) {
      if (typeof frame === "string") throw new TypeError("not a MessagePack frame");
      return stampMsgpack(frame, seq);
    },
    byteLength: frameBytes,
  };
}

function frameBytes(frame: Frame): number {
  // A string never reaches a MessagePack session; counted as UTF-16 units should it.
  return typeof frame === "string" ? frame.length : frame.byteLength;
}

/** `frame` (one MessagePack map) with `"seq": seq` added in front of its members. */
export function stampMsgpack(frame: Uint8Array, seq: number): Uint8Array {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError("seq must be a count");
  const head = frame[0];
  let count: number;
  let headerLength: number;
  if (head !== undefined && head >= 0x80 && head <= 0x8f) {
    count = head & 0x0f;
    headerLength = 1;
  } else if (head === 0xde && frame.length >= 3) {
    count = (frame[1]! << 8) | frame[2]!;
    headerLength = 3;
  } else if (head === 0xdf && frame.length >= 5) {
    count = frame[1]! * 0x1000000 + ((frame[2]! << 16) | (frame[3]! << 8) | frame[4]!);
    headerLength = 5;
  } else {
    throw new TypeError("not a MessagePack map");
  }
  const header = mapHeader(count + 1);
  const value = unsignedInt(seq);
  const before = header.length + seqKey.length + value.length;
  const stamped = new Uint8Array(before + frame.length - headerLength);
  let at = 0;
  for (const byte of header) stamped[at++] = byte;
  for (const byte of seqKey) stamped[at++] = byte;
  for (const byte of value) stamped[at++] = byte;
  stamped.set(frame.subarray(headerLength), at);
  return stamped;
}

function mapHeader(count: number): number[] {
  if (count < 0x10) return [0x80 | count];
  if (count < 0x10000) return [0xde, count >>> 8, count & 0xff];
  return [0xdf, count >>> 24, (count >>> 16) & 0xff, (count >>> 8) & 0xff, count & 0xff];
}

/** A count (a non-negative safe integer) in its shortest MessagePack form. */
function unsignedInt(value: number): number[] {
  if (value < 0x80) return [value];
  if (value < 0x100) return [0xcc, value];
  if (value < 0x10000) return [0xcd, value >>> 8, value & 0xff];
  if (value < 0x100000000) {
    return [0xce, value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
  }
  const high = Math.floor(value / 0x100000000);
  const low = value - high * 0x100000000;
  return [
    0xcf,
    0,
    (high >>> 16) & 0xff,
    (high >>> 8) & 0xff,
    high & 0xff,
    low >>> 24,
    (low >>> 16) & 0xff,
    (low >>> 8) & 0xff,
    low & 0xff,
  ];
}
