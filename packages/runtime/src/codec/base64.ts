/**
 * Standard, padded base64 (RFC 4648 §4) for `bytes`. Decoding is strict: the length is a
 * multiple of 4, only the standard alphabet, `=` only as the final padding, and the unused
 * bits before the padding are zero, so every byte string has exactly one accepted encoding.
 * Uses Node's Buffer when present and atob/btoa elsewhere (no `node:` import: browsers
 * load this module too).
 */

interface BufferLike {
  from(data: string, encoding: "base64"): Uint8Array;
  from(
    data: ArrayBufferLike,
    byteOffset: number,
    length: number,
  ): { toString(e: "base64"): string };
}

const NodeBuffer = (globalThis as { Buffer?: BufferLike }).Buffer;

/** Sextet value of each char code, -1 outside the alphabet. */
const SEXTET = new Int8Array(128).fill(-1);
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
for (let i = 0; i < ALPHABET.length; i++) SEXTET[ALPHABET.charCodeAt(i)] = i;
const PAD = 61; // "="

function sextet(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code < 128 ? SEXTET[code]! : -1;
}

/** True when `text` is canonical padded standard base64. */
export function isCanonicalBase64(text: string): boolean {
  const length = text.length;
  if (length % 4 !== 0) return false;
  if (length === 0) return true;
  let padding = 0;
  if (text.charCodeAt(length - 1) === PAD) padding = text.charCodeAt(length - 2) === PAD ? 2 : 1;
  const dataEnd = length - padding;
  for (let i = 0; i < dataEnd; i++) if (sextet(text, i) < 0) return false;
  // The bits of the last data character that fall beyond the final byte must be zero.
  if (padding === 2) return (sextet(text, dataEnd - 1) & 0x0f) === 0;
  if (padding === 1) return (sextet(text, dataEnd - 1) & 0x03) === 0;
  return true;
}

/** Decodes text already checked by isCanonicalBase64. The result owns its memory. */
export function decodeBase64(text: string): Uint8Array {
  if (NodeBuffer) {
    // Copy out of Buffer, whose memory may be a slice of a shared pool.
    const decoded = NodeBuffer.from(text, "base64");
    const bytes = new Uint8Array(decoded.length);
    bytes.set(decoded);
    return bytes;
  }
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function encodeBase64(bytes: Uint8Array): string {
  if (NodeBuffer) {
    return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
  }
  let binary = "";
  const chunk = 0x8000; // keeps String.fromCharCode's argument list small
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, i + chunk)));
  }
  return btoa(binary);
}
