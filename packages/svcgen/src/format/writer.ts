/**
 * Output of the formatter: lines, indentation, the space between two tokens, and comments.
 * The layout (which token starts a line) is decided by the caller; the writer only knows
 * how tokens sit next to each other on a line and where comments go.
 */
import type { TokenType } from "chevrotain";
import * as T from "../syntax/tokens.js";
import type { Comment, FormatToken } from "./tokens.js";

export const INDENT = "  ";

/** No space before these: `a: T;`, `f(x)`, `T[]`, `map<string, T>`, `a.b`, `x?:`. */
const tightBefore = new Set<TokenType>([
  T.Comma,
  T.Semicolon,
  T.Colon,
  T.Question,
  T.LParen,
  T.RParen,
  T.LBracket,
  T.RBracket,
  T.LAngle,
  T.RAngle,
  T.Dot,
]);
/** No space after these. */
const tightAfter = new Set<TokenType>([T.LParen, T.LBracket, T.LAngle, T.Dot, T.At]);

/** Trailing comments move past these, so `x: int32 // c` + `;` reads `x: int32; // c`. */
const closers = new Set<TokenType>([T.Comma, T.Semicolon]);

export class Writer {
  private readonly lines: string[] = [];
  private line = "";
  private previous: TokenType | undefined;
  /** Comments that follow the last token on its line, written before the next token. */
  private trailing: Comment[] = [];
  /** A line comment ended the line: whatever comes next starts a new one. */
  private lineEnded = false;
  /** The next token starts a statement: a new line at the block's indentation. */
  private statementStart = false;
  private blankBeforeStatement = false;
  /** Block nesting: two spaces of indentation per level. */
  depth = 0;

  /** `withoutComments`: leave comments out (to measure how wide a flat layout would be). */
  constructor(private readonly options: { readonly withoutComments?: boolean } = {}) {}

  /** The next token starts a new line (after a blank line when `blank`). */
  statement(blank: boolean): void {
    this.statementStart = true;
    this.blankBeforeStatement = blank;
  }

  /** Writes `token` after its leading comments, spaced from the previous one. */
  token(written: FormatToken): void {
    const token = this.options.withoutComments
      ? { ...written, leading: [], trailing: [] }
      : written;
    const type = token.type;
    if (
      type !== undefined &&
      closers.has(type) &&
      token.leading.length === 0 &&
      !this.lineEnded &&
      !this.statementStart &&
      // Two comments that both end the line cannot share it.
      !(token.trailing.length > 0 && this.trailing.some((comment) => comment.kind === "line"))
    ) {
      this.line += token.image;
      this.previous = type;
      this.trailing.push(...token.trailing);
      return;
    }
    this.flushTrailing();
    const startsStatement = this.statementStart;
    if (token.leading.length > 0) {
      const indent = startsStatement ? this.depth : this.depth + 1;
      token.leading.forEach((comment, index) => {
        // Blank lines survive at the start of a statement only: within one they would
        // split it for no reason.
        const blank =
          startsStatement && (index === 0 ? this.blankBeforeStatement : comment.blankBefore);
        this.newLine(blank, indent);
        this.writeComment(comment);
      });
      this.newLine(startsStatement && token.blankBefore, indent);
    } else if (startsStatement) {
      this.newLine(this.blankBeforeStatement, this.depth);
    } else if (this.lineEnded) {
      this.newLine(false, this.depth + 1);
    } else if (this.needsSpace(type)) {
      this.line += " ";
    }
    this.statementStart = false;
    this.lineEnded = false;
    this.line += token.image;
    this.previous = type;
    this.trailing = [...token.trailing];
  }

  /** Text the source may lack (a trailing comma of a broken list): written like a closer. */
  virtual(image: string, type: TokenType): void {
    this.token({ image, type, leading: [], trailing: [], blankBefore: false });
  }

  /**
   * Comments on lines of their own at the block's indentation (those before a closing brace
   * or at the end of the file). `blankAllowed`: whether a blank line may precede the first.
   */
  commentLines(comments: readonly Comment[], blankAllowed: boolean): void {
    if (this.options.withoutComments) return;
    this.flushTrailing();
    comments.forEach((comment, index) => {
      this.newLine(comment.blankBefore && (index > 0 || blankAllowed), this.depth);
      this.writeComment(comment);
      this.lineEnded = true;
    });
  }

  /** The text written so far, one final newline (nothing for an empty file). */
  finish(): string {
    this.flushTrailing();
    this.endLine();
    while (this.lines.length > 0 && this.lines[this.lines.length - 1] === "") this.lines.pop();
    while (this.lines.length > 0 && this.lines[0] === "") this.lines.shift();
    return this.lines.length === 0 ? "" : this.lines.join("\n") + "\n";
  }

  /** The current line as one string: what measuring a flat layout reads. */
  text(): string {
    return [...this.lines, this.line].join("\n");
  }

  private needsSpace(next: TokenType | undefined): boolean {
    if (this.line.trim() === "") return false;
    if (next !== undefined && tightBefore.has(next)) return false;
    if (this.previous !== undefined && tightAfter.has(this.previous)) return false;
    if (this.previous === T.LBrace && next === T.RBrace) return false;
    return true;
  }

  private flushTrailing(): void {
    for (const comment of this.trailing) {
      this.line += this.line.trim() === "" ? "" : " ";
      this.writeComment(comment);
      if (comment.kind === "line") this.lineEnded = true;
    }
    this.trailing = [];
  }

  private writeComment(comment: Comment): void {
    const [first, ...rest] = comment.text.split("\n");
    this.line += first;
    for (const line of rest) {
      this.endLine();
      this.line = line;
    }
  }

  private newLine(blank: boolean, depth: number): void {
    if (this.line !== "" || this.lines.length > 0) {
      this.endLine();
      if (blank) this.lines.push("");
    }
    this.line = INDENT.repeat(depth);
  }

  private endLine(): void {
    this.lines.push(this.line.trimEnd());
    this.line = "";
  }
}
