/**
 * JSON text in and out of every transport, under one nesting limit. The limit is checked on
 * the text, iteratively, before `JSON.parse` builds anything: every recursive step that
 * follows (decoding, validation, encoding, `JSON.stringify`) then works on a value whose
 * depth is known to be small, far from the stack's limit. Pure; no I/O.
 *
 * Depth counts the arrays and objects of the whole document as it travels: a JSON-RPC
 * envelope takes its own levels (`{"params":{"a":[1]}}` is 3 deep), a REST body is the
 * parameters object itself.
 */

/** Default nesting limit: protobuf's recursion limit, far below what the stack allows. */
export const defaultMaxDepth = 100;

/** A document nested deeper than the limit; on input it is answered -32602 / 400. */
export class NestedTooDeeply extends Error {
  constructor(readonly maxDepth: number) {
    super(`nested too deeply (more than ${maxDepth} levels)`);
    this.name = "NestedTooDeeply";
  }
}

/** A parsed document. When `tooDeep`, every part beyond the limit was replaced by `null`. */
export interface ParsedJson {
  readonly value: unknown;
  readonly tooDeep: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** Index of the quote that ends the string opened at `open`; `text.length` if none does. */
function closingQuote(text: string, open: number): number {
  let at = open;
  for (;;) {
    at = text.indexOf('"', at + 1);
    if (at < 0) return text.length;
    // Escaped when preceded by an odd number of backslashes.
    let backslashes = 0;
    for (let i = at - 1; text.charCodeAt(i) === BACKSLASH; i--) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
}

/** Index of the bracket that closes the one at `open` (strings skipped); `text.length` if none. */
function closingBracket(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) i = closingQuote(text, i);
    else if (code === OPEN_BRACKET || code === OPEN_BRACE) depth++;
    else if ((code === CLOSE_BRACKET || code === CLOSE_BRACE) && --depth === 0) return i;
  }
  return text.length;
}

/**
 * Whether `text` nests arrays and objects deeper than `maxDepth`. Valid JSON that deep
 * takes at least two characters a level (one to open, one to close), so a shorter text is
 * not scanned: most messages cost nothing. (A shorter text that is not valid JSON may open
 * more levels, but `JSON.parse` refuses it without recursing.)
 */
export function nestedTooDeeply(text: string, maxDepth: number): boolean {
  if (text.length < 2 * (maxDepth + 1)) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) i = closingQuote(text, i);
    else if (code === OPEN_BRACKET || code === OPEN_BRACE) {
      if (++depth > maxDepth) return true;
    } else if (code === CLOSE_BRACKET || code === CLOSE_BRACE) depth--;
  }
  return false;
}

/**
 * Parses JSON text with the nesting limit. Within the limit this is `JSON.parse`. Beyond
 * it, each part nested too deeply is cut out (replaced by `null`) before parsing, so the
 * envelope still reads (a JSON-RPC id, whether it is a request or an answer) and can be
 * answered precisely, while nothing deep is ever built. Throws SyntaxError for malformed text.
 */
export function parseJsonText(text: string, maxDepth: number): ParsedJson {
  if (!nestedTooDeeply(text, maxDepth)) return { value: JSON.parse(text), tooDeep: false };
  const kept: string[] = [];
  let from = 0;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) i = closingQuote(text, i);
    else if (code === OPEN_BRACKET || code === OPEN_BRACE) {
      if (++depth > maxDepth) {
        kept.push(text.slice(from, i), "null");
        i = closingBracket(text, i);
        from = i + 1;
        depth--;
      }
    } else if (code === CLOSE_BRACKET || code === CLOSE_BRACE) depth--;
  }
  kept.push(text.slice(from));
  return { value: JSON.parse(kept.join("")), tooDeep: true };
}

/**
 * Parses one WebSocket frame: a message, or a batch of them. The batch's array is not a
 * level of its messages: each is held to `maxDepth` as if it had come in a frame of its own,
 * so that coalescing messages into one frame (PROTOCOL.md, "Coalesced frames") never makes
 * the receiver refuse what it accepts one by one.
 */
export function parseJsonFrame(text: string, maxDepth: number): ParsedJson {
  return parseJsonText(text, opensWithBracket(text) ? maxDepth + 1 : maxDepth);
}

/** Whether the first character after JSON whitespace is `[`. */
function opensWithBracket(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d) continue;
    return code === OPEN_BRACKET;
  }
  return false;
}

/**
 * `JSON.stringify` with the nesting limit: what the peer would refuse is never sent. Throws
 * NestedTooDeeply (also for a value so deep or cyclic that the stack overflows) and
 * TypeError for what JSON cannot hold (a BigInt, a cycle).
 */
export function stringifyJson(value: unknown, maxDepth: number): string {
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    // A stack overflow, not a string too long for the engine (also a RangeError).
    if (error instanceof RangeError && /stack/i.test(error.message)) {
      throw new NestedTooDeeply(maxDepth);
    }
    throw error;
  }
  if (nestedTooDeeply(text, maxDepth)) throw new NestedTooDeeply(maxDepth);
  return text;
}
