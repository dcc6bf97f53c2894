/**
 * A MessagePack encoder for what the codecs and the protocol produce: null, booleans,
 * numbers, bigint, strings, Uint8Array, Date, arrays and plain objects. It writes the
 * shortest standard form of each (numbers that are safe integers as integers, any other
 * number, -0 included, as float 64; a Date as the timestamp extension -1), omits object
 * members whose value is undefined and writes undefined in an array as nil, as
 * JSON.stringify does. Nesting deeper than `maxDepth` is refused, like the decoder does.
 *
 * Strings are written as UTF-8; a lone surrogate, which UTF-8 cannot hold, becomes U+FFFD
 * (what TextEncoder does).
 */
import { FrameError } from "./types.js";

const CHUNK_SIZE = 64 * 1024;
const TWO_32 = 4294967296;

const textEncoder = new TextEncoder();

// Frames are written one after another into a shared chunk and returned as views of it:
// a frame costs no copy, and bytes already handed out are never written again. When a
// frame does not fit in what is left, it moves to a new chunk (frames larger than a
// chunk get one of their own); the old chunk lives as long as the frames that view it.
let buffer = new Uint8Array(CHUNK_SIZE);
let view = new DataView(buffer.buffer);
/** Where the frame being written starts. */
let start = 0;
let pos = 0;
let depthLeft = 0;
let maxDepthOfCall = 0;

export function encodeMsgpack(value: unknown, maxDepth: number): Uint8Array {
  start = pos;
  depthLeft = maxDepth;
  maxDepthOfCall = maxDepth;
  try {
    write(value);
  } catch (error) {
    pos = start;
    if (error instanceof RangeError) throw tooDeep();
    throw error;
  }
  const frame = buffer.subarray(start, pos);
  // The next frame starts 8-aligned (DataView writes do not need it; it keeps frames apart).
  pos = Math.min((pos + 7) & ~7, buffer.length);
  return frame;
}

function tooDeep(): FrameError {
  return new FrameError("too-deep", `value nested too deeply (more than ${maxDepthOfCall} levels)`);
}

function unencodable(what: string): FrameError {
  return new FrameError("unencodable", `${what} has no MessagePack form here`);
}

function ensure(count: number): void {
  if (pos + count <= buffer.length) return;
  // Moves the frame written so far to the start of a fresh chunk.
  const written = pos - start;
  let size = CHUNK_SIZE;
  while (size < 2 * (written + count)) size *= 2;
  const fresh = new Uint8Array(size);
  fresh.set(buffer.subarray(start, pos));
  buffer = fresh;
  view = new DataView(buffer.buffer);
  start = 0;
  pos = written;
}

function write(value: unknown): void {
  switch (typeof value) {
    case "string":
      return writeString(value);
    case "number":
      return writeNumber(value);
    case "boolean":
      ensure(1);
      buffer[pos++] = value ? 0xc3 : 0xc2;
      return;
    case "bigint":
      return writeBigInt(value);
    case "undefined":
      ensure(1);
      buffer[pos++] = 0xc0;
      return;
    case "object":
      if (value === null) {
        ensure(1);
        buffer[pos++] = 0xc0;
        return;
      }
      if (Array.isArray(value)) return writeArray(value);
      if (value instanceof Uint8Array) return writeBin(value);
      if (value instanceof Date) return writeTimestamp(value);
      if (isPlainObject(value)) return writeMap(value as Record<string, unknown>);
      throw unencodable(Object.prototype.toString.call(value));
  }
  throw unencodable(typeof value);
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function writeNumber(value: number): void {
  if (Number.isSafeInteger(value) && (value !== 0 || 1 / value > 0)) writeInteger(value);
  else writeFloat(value);
}

function writeFloat(value: number): void {
  ensure(9);
  buffer[pos] = 0xcb;
  view.setFloat64(pos + 1, value);
  pos += 9;
}

function writeUint32(value: number): void {
  buffer[pos] = value >>> 24;
  buffer[pos + 1] = value >>> 16;
  buffer[pos + 2] = value >>> 8;
  buffer[pos + 3] = value;
  pos += 4;
}

/** A safe integer in its shortest format. */
function writeInteger(value: number): void {
  ensure(9);
  if (value >= 0) {
    if (value < 0x80) {
      buffer[pos++] = value;
    } else if (value < 0x100) {
      buffer[pos++] = 0xcc;
      buffer[pos++] = value;
    } else if (value < 0x10000) {
      buffer[pos++] = 0xcd;
      buffer[pos++] = value >>> 8;
      buffer[pos++] = value;
    } else if (value < TWO_32) {
      buffer[pos++] = 0xce;
      writeUint32(value);
    } else {
      buffer[pos++] = 0xcf;
      const high = Math.floor(value / TWO_32);
      writeUint32(high);
      writeUint32(value - high * TWO_32);
    }
  } else if (value >= -0x20) {
    buffer[pos++] = value & 0xff;
  } else if (value >= -0x80) {
    buffer[pos++] = 0xd0;
    buffer[pos++] = value & 0xff;
  } else if (value >= -0x8000) {
    buffer[pos++] = 0xd1;
    buffer[pos++] = (value >> 8) & 0xff;
    buffer[pos++] = value & 0xff;
  } else if (value >= -0x80000000) {
    buffer[pos++] = 0xd2;
    writeUint32(value >>> 0);
  } else {
    buffer[pos++] = 0xd3;
    const high = Math.floor(value / TWO_32);
    writeUint32(high >>> 0);
    writeUint32(value - high * TWO_32);
  }
}

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;
const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

function writeBigInt(value: bigint): void {
  if (value >= SAFE_MIN && value <= SAFE_MAX) return writeInteger(Number(value));
  if (value < INT64_MIN || value > UINT64_MAX) throw unencodable("an integer beyond 64 bits");
  ensure(9);
  buffer[pos] = value < 0n ? 0xd3 : 0xcf;
  view.setBigUint64(pos + 1, BigInt.asUintN(64, value));
  pos += 9;
}

function writeString(text: string): void {
  const length = text.length;
  if (length < 0x20) {
    // Short strings are tried as ASCII first, whose byte length is known before writing.
    ensure(1 + length);
    const at = pos;
    buffer[pos++] = 0xa0 | length;
    for (let i = 0; i < length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0x80) {
        pos = at;
        return writeUtf8(text);
      }
      buffer[pos++] = code;
    }
    return;
  }
  writeUtf8(text);
}

/** The header for the worst case (3 bytes per UTF-16 unit), moved back once the size is known. */
function writeUtf8(text: string): void {
  const maxBytes = text.length * 3;
  const headerSize = maxBytes < 0x20 ? 1 : maxBytes < 0x100 ? 2 : maxBytes < 0x10000 ? 3 : 5;
  ensure(headerSize + maxBytes);
  const at = pos;
  const dataStart = at + headerSize;
  const bytes = textEncoder.encodeInto(text, buffer.subarray(dataStart)).written;
  const actualHeader = bytes < 0x20 ? 1 : bytes < 0x100 ? 2 : bytes < 0x10000 ? 3 : 5;
  if (actualHeader !== headerSize) {
    buffer.copyWithin(at + actualHeader, dataStart, dataStart + bytes);
  }
  pos = at;
  if (actualHeader === 1) {
    buffer[pos++] = 0xa0 | bytes;
  } else if (actualHeader === 2) {
    buffer[pos++] = 0xd9;
    buffer[pos++] = bytes;
  } else if (actualHeader === 3) {
    buffer[pos++] = 0xda;
    buffer[pos++] = bytes >>> 8;
    buffer[pos++] = bytes;
  } else {
    buffer[pos++] = 0xdb;
    writeUint32(bytes);
  }
  pos += bytes;
}

function writeBin(bytes: Uint8Array): void {
  const length = bytes.length;
  ensure(5 + length);
  if (length < 0x100) {
    buffer[pos++] = 0xc4;
    buffer[pos++] = length;
  } else if (length < 0x10000) {
    buffer[pos++] = 0xc5;
    buffer[pos++] = length >>> 8;
    buffer[pos++] = length;
  } else {
    buffer[pos++] = 0xc6;
    writeUint32(length);
  }
  buffer.set(bytes, pos);
  pos += length;
}

function writeTimestamp(date: Date): void {
  const time = date.getTime();
  if (Number.isNaN(time)) throw unencodable("an invalid Date");
  const seconds = Math.floor(time / 1000);
  const nanos = (time - seconds * 1000) * 1_000_000;
  ensure(15);
  if (nanos === 0 && seconds >= 0 && seconds < TWO_32) {
    buffer[pos++] = 0xd6;
    buffer[pos++] = 0xff;
    writeUint32(seconds);
  } else if (seconds >= 0 && seconds < 4 * TWO_32) {
    // 30 bits of nanoseconds, then 34 bits of seconds.
    buffer[pos++] = 0xd7;
    buffer[pos++] = 0xff;
    const secondsHigh = Math.floor(seconds / TWO_32);
    writeUint32(nanos * 4 + secondsHigh);
    writeUint32(seconds - secondsHigh * TWO_32);
  } else {
    buffer[pos++] = 0xc7;
    buffer[pos++] = 12;
    buffer[pos++] = 0xff;
    writeUint32(nanos);
    const high = Math.floor(seconds / TWO_32);
    writeUint32(high >>> 0);
    writeUint32(seconds - high * TWO_32);
  }
}

function writeArray(items: readonly unknown[]): void {
  if (--depthLeft < 0) throw tooDeep();
  const length = items.length;
  ensure(5);
  if (length < 0x10) {
    buffer[pos++] = 0x90 | length;
  } else if (length < 0x10000) {
    buffer[pos++] = 0xdc;
    buffer[pos++] = length >>> 8;
    buffer[pos++] = length;
  } else {
    buffer[pos++] = 0xdd;
    writeUint32(length);
  }
  for (let i = 0; i < length; i++) write(items[i]);
  depthLeft++;
}

function writeMap(object: Record<string, unknown>): void {
  if (--depthLeft < 0) throw tooDeep();
  const keys = Object.keys(object);
  let size = 0;
  for (let i = 0; i < keys.length; i++) if (object[keys[i]!] !== undefined) size++;
  ensure(5);
  if (size < 0x10) {
    buffer[pos++] = 0x80 | size;
  } else if (size < 0x10000) {
    buffer[pos++] = 0xde;
    buffer[pos++] = size >>> 8;
    buffer[pos++] = size;
  } else {
    buffer[pos++] = 0xdf;
    writeUint32(size);
  }
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const value = object[key];
    if (value === undefined) continue;
    writeString(key);
    write(value);
  }
  depthLeft++;
}
