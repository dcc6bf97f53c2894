/**
 * A MessagePack decoder for untrusted frames. It reads exactly what the protocol carries
 * (nil, booleans, integers, floats, str, bin, arrays, maps with string keys, and the
 * timestamp extension -1) and refuses everything else, so no frame can make it build
 * anything but plain data:
 *
 * - every length header is checked against the bytes that remain before anything is
 *   allocated (an array of n elements needs at least n bytes), so a frame can never claim
 *   more memory than its own size;
 * - arrays and maps nest at most `maxDepth` deep, counted on the way down, so recursion is
 *   bounded by the limit and not by the input: a container beyond it is skipped without
 *   recursion and read as null, and the result says so (`tooDeep`), as the JSON path does;
 * - map keys are strings; keys named like an Object.prototype property (`__proto__`,
 *   `constructor`) become own data properties, never a prototype;
 * - str must be valid UTF-8; a bin is copied out (the result never holds the frame);
 * - extension types other than -1, the reserved byte 0xc1 and bytes after the value fail.
 *
 * Integers come back as numbers when they are safe integers and as bigint otherwise
 * (only the 64-bit formats can hold such values).
 */
import { FrameError } from "./types.js";
import type { DecodedFrame } from "./types.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });
const EMPTY = new Uint8Array(0);
const TWO_32 = 4294967296;

// The frame being read. Decoding is synchronous and calls no user code, so one set of
// module variables serves every call; `decodeMsgpack` resets them in `finally`.
let src: Uint8Array = EMPTY;
let view: DataView | undefined;
let pos = 0;
let end = 0;
let depthLeft = 0;
let maxDepthOfCall = 0;
/** Whether a container beyond the depth limit was skipped. */
let cut = false;

export function decodeMsgpack(frame: Uint8Array, maxDepth: number): DecodedFrame {
  src = frame;
  view = undefined;
  pos = 0;
  end = frame.length;
  depthLeft = maxDepth;
  maxDepthOfCall = maxDepth;
  cut = false;
  try {
    if (end === 0) throw malformed("empty frame");
    const value = read();
    if (pos !== end) throw malformed(`${end - pos} bytes after the value`);
    return { value, tooDeep: cut };
  } catch (error) {
    // A limit set above what the stack allows still ends in a FrameError.
    if (error instanceof RangeError) throw tooDeep();
    throw error;
  } finally {
    src = EMPTY;
    view = undefined;
  }
}

function malformed(detail: string): FrameError {
  return new FrameError("malformed", `malformed MessagePack: ${detail}`);
}

function tooDeep(): FrameError {
  return new FrameError("too-deep", `value nested too deeply (more than ${maxDepthOfCall} levels)`);
}

function need(count: number): void {
  if (count > end - pos) throw malformed("truncated frame");
}

function dataView(): DataView {
  return (view ??= new DataView(src.buffer, src.byteOffset, src.byteLength));
}

function uint8(): number {
  need(1);
  return src[pos++]!;
}

function uint16(): number {
  need(2);
  const value = (src[pos]! << 8) | src[pos + 1]!;
  pos += 2;
  return value;
}

function uint32(): number {
  need(4);
  const value =
    src[pos]! * 0x1000000 + ((src[pos + 1]! << 16) | (src[pos + 2]! << 8) | src[pos + 3]!);
  pos += 4;
  return value;
}

function int32(): number {
  need(4);
  const value = (src[pos]! << 24) | (src[pos + 1]! << 16) | (src[pos + 2]! << 8) | src[pos + 3]!;
  pos += 4;
  return value;
}

/** 2^53 / 2^32: a high word below this (in magnitude) keeps the value a safe integer. */
const SAFE_HIGH = 0x200000;

function uint64(): number | bigint {
  const high = uint32();
  const low = uint32();
  if (high < SAFE_HIGH) return high * TWO_32 + low;
  return (BigInt(high) << 32n) | BigInt(low);
}

function int64(): number | bigint {
  const high = int32();
  const low = uint32();
  if (high >= -SAFE_HIGH && high < SAFE_HIGH) {
    const value = high * TWO_32 + low;
    if (Number.isSafeInteger(value)) return value;
  }
  return (BigInt(high) << 32n) + BigInt(low);
}

function read(): unknown {
  if (pos >= end) throw malformed("truncated frame");
  const byte = src[pos++]!;
  if (byte < 0x80) return byte;
  if (byte < 0x90) return readMap(byte & 0x0f);
  if (byte < 0xa0) return readArray(byte & 0x0f);
  if (byte < 0xc0) return readString(byte & 0x1f);
  if (byte >= 0xe0) return byte - 0x100;
  switch (byte) {
    case 0xc0:
      return null;
    case 0xc2:
      return false;
    case 0xc3:
      return true;
    case 0xc4:
      return readBin(uint8());
    case 0xc5:
      return readBin(uint16());
    case 0xc6:
      return readBin(uint32());
    case 0xc7:
      return readExt(uint8());
    case 0xc8:
      return readExt(uint16());
    case 0xc9:
      return readExt(uint32());
    case 0xca: {
      need(4);
      const value = dataView().getFloat32(pos);
      pos += 4;
      return value;
    }
    case 0xcb: {
      need(8);
      const value = dataView().getFloat64(pos);
      pos += 8;
      return value;
    }
    case 0xcc:
      return uint8();
    case 0xcd:
      return uint16();
    case 0xce:
      return uint32();
    case 0xcf:
      return uint64();
    case 0xd0:
      return (uint8() << 24) >> 24;
    case 0xd1:
      return (uint16() << 16) >> 16;
    case 0xd2:
      return int32();
    case 0xd3:
      return int64();
    case 0xd4:
      return readExt(1);
    case 0xd5:
      return readExt(2);
    case 0xd6:
      return readExt(4);
    case 0xd7:
      return readExt(8);
    case 0xd8:
      return readExt(16);
    case 0xd9:
      return readString(uint8());
    case 0xda:
      return readString(uint16());
    case 0xdb:
      return readString(uint32());
    case 0xdc:
      return readArray(uint16());
    case 0xdd:
      return readArray(uint32());
    case 0xde:
      return readMap(uint16());
    case 0xdf:
      return readMap(uint32());
  }
  throw malformed("reserved byte 0xc1");
}

function readArray(length: number): unknown[] | null {
  // Every element takes at least one byte.
  if (length > end - pos) throw malformed("array longer than the frame");
  if (depthLeft === 0) return skipContainer(length);
  depthLeft--;
  const out: unknown[] = new Array(length);
  for (let i = 0; i < length; i++) out[i] = read();
  depthLeft++;
  return out;
}

/**
 * Skips the `count` values of a container beyond the depth limit, without recursion: a
 * counter of values still to skip replaces the stack. Each step consumes at least one byte,
 * so the loop ends within the frame whatever the headers claim. The skipped bytes must be
 * well-formed MessagePack; what they would have decoded to is not checked further.
 */
function skipContainer(count: number): null {
  cut = true;
  let pending = count;
  while (pending > 0) {
    pending--;
    need(1);
    const byte = src[pos++]!;
    if (byte < 0x80 || byte >= 0xe0) continue;
    if (byte < 0x90) pending += 2 * (byte & 0x0f);
    else if (byte < 0xa0) pending += byte & 0x0f;
    else if (byte < 0xc0) skip(byte & 0x1f);
    else if (byte === 0xc0 || byte === 0xc2 || byte === 0xc3) continue;
    else if (byte === 0xdc) pending += uint16();
    else if (byte === 0xdd) pending += uint32();
    else if (byte === 0xde) pending += 2 * uint16();
    else if (byte === 0xdf) pending += 2 * uint32();
    else skip(scalarLength(byte));
  }
  return null;
}

/** The bytes after the type byte of a scalar (0xc4-0xdb); reads variable length headers. */
function scalarLength(byte: number): number {
  switch (byte) {
    case 0xc4:
    case 0xd9:
      return uint8();
    case 0xc5:
    case 0xda:
      return uint16();
    case 0xc6:
    case 0xdb:
      return uint32();
    case 0xc7:
      return uint8() + 1;
    case 0xc8:
      return uint16() + 1;
    case 0xc9:
      return uint32() + 1;
    case 0xcc:
    case 0xd0:
      return 1;
    case 0xcd:
    case 0xd1:
    case 0xd4:
      return 2;
    case 0xd5:
      return 3;
    case 0xca:
    case 0xce:
    case 0xd2:
      return 4;
    case 0xd6:
      return 5;
    case 0xcb:
    case 0xcf:
    case 0xd3:
      return 8;
    case 0xd7:
      return 9;
    case 0xd8:
      return 17;
  }
  throw malformed("reserved byte 0xc1");
}

function skip(count: number): void {
  need(count);
  pos += count;
}

const objectPrototype = Object.prototype;

function readMap(size: number): Record<string, unknown> | null {
  // Every entry takes at least two bytes (a key and a value).
  if (size > (end - pos) / 2) throw malformed("map longer than the frame");
  if (depthLeft === 0) return skipContainer(2 * size);
  depthLeft--;
  const out: Record<string, unknown> = {};
  for (let i = 0; i < size; i++) {
    const key = readKey();
    if (keyGuarded) {
      // Named like an Object.prototype property: an own data property, whatever the name.
      Object.defineProperty(out, key.text, {
        value: read(),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      out[key.text] = read();
    }
  }
  depthLeft++;
  return out;
}

/**
 * Map keys repeat from message to message (`jsonrpc`, `id`, field names), so short ones
 * are kept by a hash of their bytes: a hit costs a compare instead of building a string,
 * and the same string object then reaches the property stores. Bounded: a fixed number
 * of slots, each key at most MAX_CACHED_KEY bytes.
 */
interface CachedKey {
  readonly bytes: Uint8Array;
  readonly text: string;
  readonly guarded: boolean;
}
const KEY_SLOTS = 4096;
const MAX_CACHED_KEY = 24;
const keyCache: (CachedKey | undefined)[] = new Array(KEY_SLOTS).fill(undefined);
/** Whether the key readKey returned names an Object.prototype property. */
let keyGuarded = false;
const uncachedKey = { text: "" };

function readKey(): { readonly text: string } {
  need(1);
  const byte = src[pos++]!;
  let length: number;
  if (byte >= 0xa0 && byte < 0xc0) length = byte & 0x1f;
  else if (byte === 0xd9) length = uint8();
  else if (byte === 0xda) length = uint16();
  else if (byte === 0xdb) length = uint32();
  else throw malformed("map key is not a string");
  if (length > MAX_CACHED_KEY) {
    uncachedKey.text = readString(length);
    keyGuarded = uncachedKey.text in objectPrototype;
    return uncachedKey;
  }
  need(length);
  let hash = length;
  for (let i = pos; i < pos + length; i++) hash = (hash * 31 + src[i]!) | 0;
  const slot = hash & (KEY_SLOTS - 1);
  const cached = keyCache[slot];
  if (cached !== undefined && cached.bytes.length === length) {
    const bytes = cached.bytes;
    let same = true;
    for (let i = 0; i < length; i++) {
      if (bytes[i] !== src[pos + i]) {
        same = false;
        break;
      }
    }
    if (same) {
      pos += length;
      keyGuarded = cached.guarded;
      return cached;
    }
  }
  const start = pos;
  const text = readString(length);
  const entry: CachedKey = { bytes: src.slice(start, pos), text, guarded: text in objectPrototype };
  keyCache[slot] = entry;
  keyGuarded = entry.guarded;
  return entry;
}

function readString(length: number): string {
  need(length);
  const start = pos;
  if (length <= 24) {
    // Short ASCII strings (keys, method names, ids) are built here: a call into
    // TextDecoder costs more than the loop.
    let text = "";
    for (let i = start; i < start + length; i++) {
      const byte = src[i]!;
      if (byte >= 0x80) return readUtf8(start, length);
      text += String.fromCharCode(byte);
    }
    pos += length;
    return text;
  }
  return readUtf8(start, length);
}

function readUtf8(start: number, length: number): string {
  let text: string;
  try {
    text = utf8.decode(src.subarray(start, start + length));
  } catch {
    throw malformed("str is not valid UTF-8");
  }
  pos = start + length;
  return text;
}

function readBin(length: number): Uint8Array {
  need(length);
  const out = new Uint8Array(length);
  out.set(src.subarray(pos, pos + length));
  pos += length;
  return out;
}

const NANOS_PER_SECOND = 1_000_000_000;

/** Extension data; only the timestamp (-1) is part of the protocol. */
function readExt(length: number): Date {
  need(1);
  const type = (src[pos++]! << 24) >> 24;
  need(length);
  if (type !== -1) throw malformed(`extension type ${type} is not accepted`);
  let seconds: number;
  let nanos: number;
  if (length === 4) {
    seconds = uint32();
    nanos = 0;
  } else if (length === 8) {
    const high = uint32();
    const low = uint32();
    nanos = Math.floor(high / 4);
    seconds = (high % 4) * TWO_32 + low;
  } else if (length === 12) {
    nanos = uint32();
    const big = int64();
    // Beyond ±2^53 seconds no Date exists anyway; the schema rejects the invalid Date.
    seconds = typeof big === "bigint" ? Number(big) : big;
  } else {
    throw malformed(`timestamp of ${length} bytes`);
  }
  if (nanos >= NANOS_PER_SECOND) throw malformed("timestamp nanoseconds out of range");
  return new Date(seconds * 1000 + Math.floor(nanos / 1_000_000));
}
