/**
 * The formatter's view of a file: its significant tokens, each carrying the comments around
 * it. The lexer drops comments (the parser has no use for them), so they are recovered from
 * the gaps between tokens, which hold nothing but whitespace and comments once a file lexes
 * cleanly.
 */
import type { IToken, TokenType } from "chevrotain";

export interface Comment {
  /** The comment as written (`// x`, `/// doc`, `/* x *\/`), trailing whitespace removed. */
  readonly text: string;
  readonly kind: "line" | "block";
  /** A blank line separates it from what came before it (a token or another comment). */
  readonly blankBefore: boolean;
}

export interface FormatToken {
  readonly image: string;
  /** Undefined for the end of the file, which only carries the comments after the last token. */
  readonly type: TokenType | undefined;
  /** Comments on lines of their own before the token (doc comments among them). */
  readonly leading: Comment[];
  /** Comments that follow the token on its line: they stay on the line of the token. */
  readonly trailing: Comment[];
  /** A blank line separates the token from what came before it. */
  readonly blankBefore: boolean;
}

/**
 * Pairs `tokens` (from the lexer) with the comments in `text` between them. The last entry
 * is the end of the file.
 */
export function withComments(text: string, tokens: readonly IToken[]): FormatToken[] {
  const result: FormatToken[] = [];
  let previous: FormatToken | undefined;
  let gapStart = 0;
  for (let index = 0; index <= tokens.length; index++) {
    const token = tokens[index];
    const gapEnd = token ? token.startOffset : text.length;
    const gap = scanGap(text, gapStart, gapEnd);
    const leading: Comment[] = [];
    let newlines = 0;
    for (const item of gap.items) {
      newlines += item.newlinesBefore;
      if (item.kind === "space") continue;
      const comment: Comment = { text: item.text, kind: item.kind, blankBefore: newlines >= 2 };
      // A comment on the line of the previous token belongs to it; the rest to the next one.
      if (previous && newlines === 0 && leading.length === 0) previous.trailing.push(comment);
      else leading.push(comment);
      newlines = 0;
    }
    newlines += gap.newlinesAtEnd;
    const current: FormatToken = {
      image: token ? token.image : "",
      type: token?.tokenType,
      leading,
      trailing: [],
      blankBefore: newlines >= 2,
    };
    result.push(current);
    previous = current;
    if (token) gapStart = token.endOffset! + 1;
  }
  return result;
}

interface GapItem {
  readonly kind: "line" | "block" | "space";
  readonly text: string;
  /** Line breaks between the previous comment (or token) and this item. */
  readonly newlinesBefore: number;
}

/** Splits the text between two tokens into comments, counting the line breaks before each. */
function scanGap(
  text: string,
  start: number,
  end: number,
): { items: GapItem[]; newlinesAtEnd: number } {
  const items: GapItem[] = [];
  let newlines = 0;
  let at = start;
  while (at < end) {
    const c = text.charCodeAt(at);
    if (c === 10 || c === 13) {
      // \r\n, \n and a lone \r each end one line.
      newlines++;
      at += c === 13 && text.charCodeAt(at + 1) === 10 ? 2 : 1;
    } else if (c === 47 && text.charCodeAt(at + 1) === 47) {
      let stop = at;
      while (stop < end && text.charCodeAt(stop) !== 10 && text.charCodeAt(stop) !== 13) stop++;
      items.push({ kind: "line", text: text.slice(at, stop).trimEnd(), newlinesBefore: newlines });
      newlines = 0;
      at = stop;
    } else if (c === 47 && text.charCodeAt(at + 1) === 42) {
      const close = text.indexOf("*/", at + 2);
      const stop = close === -1 || close + 2 > end ? end : close + 2;
      const body = text
        .slice(at, stop)
        .split(/\r\n|\r|\n/)
        .map((line) => line.trimEnd())
        .join("\n");
      items.push({ kind: "block", text: body, newlinesBefore: newlines });
      newlines = 0;
      at = stop;
    } else {
      at++;
    }
  }
  return { items, newlinesAtEnd: newlines };
}
