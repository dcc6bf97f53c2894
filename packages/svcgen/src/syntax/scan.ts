/**
 * A hand-written scanner for the common case: text the chevrotain lexer (tokens.ts) would
 * tokenize without a single problem. It gives the same tokens, positions and doc comments,
 * but as numbers in shared typed arrays instead of one object per token, and gives up
 * (returns undefined) at anything the lexer would report, so the caller can lex that text
 * again with the lexer that reports it.
 */

/** Token kinds: the keywords, then the other tokens the parser sees. */
export enum Kind {
  EndOfFile,
  Identifier,
  Package,
  Import,
  Enum,
  Record,
  Error,
  Union,
  Interface,
  Callback,
  Oneway,
  Throws,
  Map,
  Void,
  // The primitive type keywords, contiguous: see isPrimitive.
  Bool,
  Int32,
  Int64,
  Float64,
  String,
  Bytes,
  Timestamp,
  Json,
  StringLiteral,
  IntegerLiteral,
  LBrace,
  RBrace,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LAngle,
  RAngle,
  Semicolon,
  Colon,
  Comma,
  Dot,
  Question,
  At,
}

const keywords = new Map<string, Kind>([
  ["package", Kind.Package],
  ["import", Kind.Import],
  ["enum", Kind.Enum],
  ["record", Kind.Record],
  ["error", Kind.Error],
  ["union", Kind.Union],
  ["interface", Kind.Interface],
  ["callback", Kind.Callback],
  ["oneway", Kind.Oneway],
  ["throws", Kind.Throws],
  ["map", Kind.Map],
  ["void", Kind.Void],
  ["bool", Kind.Bool],
  ["int32", Kind.Int32],
  ["int64", Kind.Int64],
  ["float64", Kind.Float64],
  ["string", Kind.String],
  ["bytes", Kind.Bytes],
  ["timestamp", Kind.Timestamp],
  ["json", Kind.Json],
]);

/**
 * The keywords by their first character: a word is compared in place with the few that
 * start like it, without making a string of every identifier.
 */
const keywordsByFirst: (readonly [string, Kind])[][] = [];
for (const [word, kind] of keywords)
  (keywordsByFirst[word.charCodeAt(0)] ??= []).push([word, kind]);

function keywordAt(text: string, start: number, end: number): Kind {
  const candidates = keywordsByFirst[text.charCodeAt(start)];
  if (candidates === undefined) return Kind.Identifier;
  for (const [word, kind] of candidates) {
    if (word.length === end - start && text.startsWith(word, start)) return kind;
  }
  return Kind.Identifier;
}

/** Whether a token of this kind is accepted where the grammar wants any name. */
export function isName(kind: Kind): boolean {
  return kind >= Kind.Identifier && kind <= Kind.Json;
}

export function isPrimitive(kind: Kind): boolean {
  return kind >= Kind.Bool && kind <= Kind.Json;
}

/** Punctuation by character code. */
const punctuation = new Uint8Array(128);
punctuation[0x7b] = Kind.LBrace;
punctuation[0x7d] = Kind.RBrace;
punctuation[0x28] = Kind.LParen;
punctuation[0x29] = Kind.RParen;
punctuation[0x5b] = Kind.LBracket;
punctuation[0x5d] = Kind.RBracket;
punctuation[0x3c] = Kind.LAngle;
punctuation[0x3e] = Kind.RAngle;
punctuation[0x3b] = Kind.Semicolon;
punctuation[0x3a] = Kind.Colon;
punctuation[0x2c] = Kind.Comma;
punctuation[0x2e] = Kind.Dot;
punctuation[0x3f] = Kind.Question;
punctuation[0x40] = Kind.At;

/** The tokens of one text; the arrays are shared by every scan and valid until the next. */
export interface Scanned {
  readonly text: string;
  /** Tokens in the arrays, not counting the end-of-file token at index `count`. */
  readonly count: number;
  readonly kinds: Uint8Array;
  /** Start and end (exclusive) offsets; 1-based line and column of the start. */
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly lines: Int32Array;
  readonly columns: Int32Array;
  /** The documentation of a token (by index), as `attachDocs` in parse.ts finds it. */
  readonly docs: ReadonlyMap<number, string>;
}

let capacity = 0;
let kinds = new Uint8Array(0);
let starts = new Int32Array(0);
let ends = new Int32Array(0);
let lines = new Int32Array(0);
let columns = new Int32Array(0);

function ensureCapacity(needed: number): void {
  if (needed <= capacity) return;
  capacity = Math.max(needed, capacity * 2, 4096);
  kinds = grow(kinds, new Uint8Array(capacity));
  starts = grow(starts, new Int32Array(capacity));
  ends = grow(ends, new Int32Array(capacity));
  lines = grow(lines, new Int32Array(capacity));
  columns = grow(columns, new Int32Array(capacity));
}

function grow<A extends Uint8Array | Int32Array>(old: A, bigger: A): A {
  bigger.set(old);
  return bigger;
}

/** A `///` line: where it starts and what it says. */
interface DocLine {
  readonly start: number;
  readonly line: number;
  readonly text: string;
}

const enum Char {
  Tab = 0x09,
  LineFeed = 0x0a,
  VerticalTab = 0x0b,
  FormFeed = 0x0c,
  CarriageReturn = 0x0d,
  Space = 0x20,
  Quote = 0x22,
  Star = 0x2a,
  Minus = 0x2d,
  Slash = 0x2f,
  Zero = 0x30,
  Nine = 0x39,
  Backslash = 0x5c,
  Underscore = 0x5f,
}

/** Per ASCII character: 1 if it starts an identifier, 2 if it can only continue one. */
const identifierChars = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === Char.Underscore) {
    identifierChars[c] = 1;
  } else if (c >= Char.Zero && c <= Char.Nine) {
    identifierChars[c] = 2;
  }
}

function isIdentifierStart(c: number): boolean {
  return c < 128 && identifierChars[c] === 1;
}

function isIdentifierPart(c: number): boolean {
  return c < 128 && identifierChars[c] !== 0;
}

/** The tokens of `text`, or undefined if the chevrotain lexer would report a problem in it. */
export function scan(text: string): Scanned | undefined {
  const length = text.length;
  // Room for a token per four characters (IDL has about one per seven); grown if needed.
  ensureCapacity((length >> 2) + 2);
  const docLines: DocLine[] = [];
  let count = 0;
  let line = 1;
  let lineStart = 0;
  let at = 0;
  while (at < length) {
    const c = text.charCodeAt(at);
    if (c === Char.LineFeed) {
      at++;
      line++;
      lineStart = at;
      continue;
    }
    if (c === Char.CarriageReturn) {
      at += text.charCodeAt(at + 1) === Char.LineFeed ? 2 : 1;
      line++;
      lineStart = at;
      continue;
    }
    if (c === Char.Space || c === Char.Tab || c === Char.FormFeed || c === Char.VerticalTab) {
      // Indentation: a run of spaces, skipped in one loop.
      do at++;
      while (text.charCodeAt(at) === Char.Space);
      continue;
    }
    if (c === Char.Slash) {
      const next = text.charCodeAt(at + 1);
      if (next === Char.Slash) {
        const start = at;
        at = endOfLine(text, at + 2);
        if (text.charCodeAt(start + 2) === Char.Slash) {
          docLines.push({ start, line, text: text.slice(start, at) });
        }
        continue;
      }
      if (next === Char.Star) {
        const close = text.indexOf("*/", at + 2);
        if (close < 0) return undefined;
        for (let i = at + 2; i < close; i++) {
          const inner = text.charCodeAt(i);
          if (inner === Char.LineFeed) {
            line++;
            lineStart = i + 1;
          } else if (inner === Char.CarriageReturn) {
            if (text.charCodeAt(i + 1) === Char.LineFeed) i++;
            line++;
            lineStart = i + 1;
          }
        }
        at = close + 2;
        continue;
      }
      return undefined;
    }
    if (count + 1 >= capacity) ensureCapacity(count + 2);
    const start = at;
    let kind: Kind;
    if (isIdentifierStart(c)) {
      at++;
      // Past the end charCodeAt is NaN, which is no identifier character.
      while (isIdentifierPart(text.charCodeAt(at))) at++;
      kind = keywordAt(text, start, at);
    } else if (c === Char.Quote) {
      at++;
      for (;;) {
        if (at >= length) return undefined;
        const inner = text.charCodeAt(at);
        if (inner === Char.Quote) break;
        if (inner === Char.LineFeed || inner === Char.CarriageReturn) return undefined;
        if (inner === Char.Backslash) {
          const escaped = text.charCodeAt(at + 1);
          if (at + 1 >= length || escaped === Char.LineFeed || escaped === Char.CarriageReturn) {
            return undefined;
          }
          at++;
        }
        at++;
      }
      at++;
      kind = Kind.StringLiteral;
    } else if ((c >= Char.Zero && c <= Char.Nine) || c === Char.Minus) {
      at++;
      while (at < length && isDigit(text.charCodeAt(at))) at++;
      if (c === Char.Minus && at === start + 1) return undefined;
      kind = Kind.IntegerLiteral;
    } else {
      kind = c < 128 ? (punctuation[c] as Kind) : Kind.EndOfFile;
      if (kind === Kind.EndOfFile) return undefined;
      at++;
    }
    kinds[count] = kind;
    starts[count] = start;
    ends[count] = at;
    lines[count] = line;
    columns[count] = start - lineStart + 1;
    count++;
  }
  kinds[count] = Kind.EndOfFile;
  starts[count] = length;
  ends[count] = length;
  lines[count] = line;
  columns[count] = length - lineStart + 1;
  return {
    text,
    count,
    kinds,
    starts,
    ends,
    lines,
    columns,
    docs: attachDocLines(docLines, count),
  };
}

function isDigit(c: number): boolean {
  return c >= Char.Zero && c <= Char.Nine;
}

function endOfLine(text: string, from: number): number {
  let at = from;
  while (at < text.length) {
    const c = text.charCodeAt(at);
    if (c === Char.LineFeed || c === Char.CarriageReturn) break;
    at++;
  }
  return at;
}

/**
 * `attachDocs` of parse.ts over the scanned arrays: each run of `///` lines on consecutive
 * lines documents the token right after it, unless code precedes it on its first line or a
 * token stands between its lines.
 */
function attachDocLines(comments: readonly DocLine[], count: number): Map<number, string> {
  const docs = new Map<number, string>();
  let next = 0;
  let index = 0;
  while (index < comments.length) {
    const runStart = index;
    while (index + 1 < comments.length && comments[index + 1]!.line === comments[index]!.line + 1) {
      index++;
    }
    const first = comments[runStart]!;
    const last = comments[index]!;
    const runEnd = index + 1;
    index++;
    while (next < count && starts[next]! < first.start) next++;
    if (next > 0 && lines[next - 1] === first.line) continue;
    if (next >= count || starts[next]! < last.start) continue;
    let doc = "";
    for (let i = runStart; i < runEnd; i++) {
      const line = comments[i]!.text.slice(3).replace(/^ /, "").trimEnd();
      doc = i === runStart ? line : `${doc}\n${line}`;
    }
    docs.set(next, doc);
  }
  return docs;
}
