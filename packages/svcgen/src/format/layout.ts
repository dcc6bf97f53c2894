/**
 * The canonical layout of a .svc file, decided per grammar rule over tokens that are known to
 * parse (the caller refuses anything else). docs/formatting.md describes the result:
 *
 * - `package`, the imports and each declaration start a line; one blank line between the
 *   sections and between declarations; blank lines between imports and between members are
 *   kept (at most one), never after `{` or before `}`.
 * - Annotations of declarations, fields, cases and methods on lines of their own.
 * - Members one per line, indented two spaces; an empty body is `{}`.
 * - An enum on one line (`enum E { A, B }`) when it fits in 100 columns and nothing in it has
 *   a comment or annotation; otherwise one member per line, each followed by a comma.
 * - A method on one line when it fits; otherwise one parameter per line with a trailing comma.
 * - Spaces as in IDL.md's example: `a?: T`, `map<string, T>`, `T[]`, `f(a: T): R throws E`.
 * - Comments stay where they were relative to the tokens: on the line of the token they follow,
 *   or on lines of their own before the next one.
 */
import type { TokenType } from "chevrotain";
import * as T from "../syntax/tokens.js";
import type { FormatToken } from "./tokens.js";
import { INDENT, Writer } from "./writer.js";

export const PRINT_WIDTH = 100;

/** The layout was asked for tokens that do not follow the grammar (a bug, not user input). */
export class LayoutError extends Error {}

type Mode = "flat" | "broken";

export class Layout {
  private position = 0;
  private writer = new Writer();

  constructor(private readonly tokens: readonly FormatToken[]) {}

  format(): string {
    this.file();
    return this.writer.finish();
  }

  private peek(ahead = 0): FormatToken {
    return this.tokens[Math.min(this.position + ahead, this.tokens.length - 1)]!;
  }

  private is(type: TokenType, ahead = 0): boolean {
    return this.peek(ahead).type === type;
  }

  private atEnd(): boolean {
    return this.peek().type === undefined;
  }

  /** Writes the next token, which must be of `type` when given. */
  private take(type?: TokenType): FormatToken {
    const token = this.peek();
    if (token.type === undefined || (type !== undefined && token.type !== type)) {
      throw new LayoutError(`unexpected ${token.image || "end of file"}`);
    }
    this.position++;
    this.writer.token(token);
    return token;
  }

  /** Skips a token the layout leaves out (a trailing comma of a flat list). */
  private skip(): void {
    this.position++;
  }

  /** Whether a blank line preceded `token` (or its first comment) in the source. */
  private static blankBefore(token: FormatToken): boolean {
    return token.leading[0]?.blankBefore ?? token.blankBefore;
  }

  /** Whether any comment sits after token `from` and before token `to` (indices). */
  private commentsBetween(from: number, to: number): boolean {
    for (let index = from; index <= to; index++) {
      const token = this.tokens[index]!;
      if (index > from && token.leading.length > 0) return true;
      if (index < to && token.trailing.length > 0) return true;
    }
    return false;
  }

  /** Index of the token closing the bracket at `open` (parentheses or braces). */
  private matching(open: number): number {
    const opener = this.tokens[open]!.type;
    const closer = opener === T.LBrace ? T.RBrace : T.RParen;
    let depth = 0;
    for (let index = open; index < this.tokens.length; index++) {
      const type = this.tokens[index]!.type;
      if (type === opener) depth++;
      else if (type === closer && --depth === 0) return index;
    }
    throw new LayoutError("unbalanced brackets");
  }

  /** How wide `write` makes the current line when laid out flat; Infinity if it breaks. */
  private measure(write: () => void): number {
    const saved = { position: this.position, writer: this.writer };
    this.writer = new Writer({ withoutComments: true });
    try {
      write();
      const text = this.writer.text();
      return text.includes("\n") ? Infinity : text.length;
    } finally {
      this.position = saved.position;
      this.writer = saved.writer;
    }
  }

  private fits(width: number): boolean {
    return INDENT.length * this.writer.depth + width <= PRINT_WIDTH;
  }

  private file(): void {
    let section: "start" | "package" | "imports" | "declarations" = "start";
    while (!this.atEnd()) {
      const next = this.peek();
      if (next.type === T.Package) {
        this.writer.statement(section !== "start");
        this.packageStatement();
        section = "package";
      } else if (next.type === T.Import) {
        this.writer.statement(
          section === "imports" ? Layout.blankBefore(next) : section !== "start",
        );
        this.importStatement();
        section = "imports";
      } else {
        this.writer.statement(section !== "start");
        this.declaration();
        section = "declarations";
      }
    }
    const end = this.peek();
    this.writer.commentLines(end.leading, section !== "start");
  }

  private packageStatement(): void {
    this.take(T.Package);
    this.qualifiedName();
    this.take(T.Semicolon);
  }

  private importStatement(): void {
    this.take(T.Import);
    this.take(T.StringLiteral);
    this.take(T.Semicolon);
  }

  private qualifiedName(): void {
    this.take();
    while (this.is(T.Dot)) {
      this.take(T.Dot);
      this.take();
    }
  }

  /** Annotations each on a line of their own; the element then starts a new line. */
  private annotationLines(): boolean {
    let any = false;
    while (this.is(T.At)) {
      this.annotation();
      this.writer.statement(false);
      any = true;
    }
    return any;
  }

  private annotation(): void {
    this.take(T.At);
    this.take();
    if (!this.is(T.LParen)) return;
    this.take(T.LParen);
    this.take();
    while (this.is(T.Comma)) {
      this.take(T.Comma);
      this.take();
    }
    this.take(T.RParen);
  }

  private declaration(): void {
    this.annotationLines();
    const keyword = this.peek().type;
    switch (keyword) {
      case T.Enum:
        return this.enumDeclaration();
      case T.RecordKw:
      case T.ErrorKw:
      case T.Union:
        return this.block(() => this.field());
      case T.Interface:
      case T.Callback:
        return this.block(() => this.method());
      default:
        throw new LayoutError(`unexpected ${this.peek().image}`);
    }
  }

  /** `keyword Name { members }`: one member per line, `{}` when empty. */
  private block(member: () => void): void {
    this.take();
    this.take();
    const open = this.take(T.LBrace);
    const close = this.peek();
    if (close.type === T.RBrace && open.trailing.length === 0 && close.leading.length === 0) {
      this.take(T.RBrace);
      return;
    }
    this.writer.depth++;
    let first = true;
    while (!this.is(T.RBrace)) {
      this.writer.statement(!first && Layout.blankBefore(this.peek()));
      member();
      first = false;
    }
    this.closeBlock(!first);
  }

  /** The `}` of a body, after the comments that end the body. */
  private closeBlock(hadMembers: boolean): void {
    const close = this.peek();
    this.writer.commentLines(close.leading, hadMembers);
    this.writer.depth--;
    this.writer.statement(false);
    this.position++;
    this.writer.token({ ...close, leading: [] });
  }

  /** A field of a record or error, or a case of a union: `name?: type;`. */
  private field(): void {
    this.annotationLines();
    this.take();
    if (this.is(T.Question)) this.take(T.Question);
    this.take(T.Colon);
    this.type();
    this.take(T.Semicolon);
  }

  private type(): void {
    if (this.is(T.MapKw) && this.is(T.LAngle, 1)) {
      this.take(T.MapKw);
      this.take(T.LAngle);
      this.take();
      this.take(T.Comma);
      this.type();
      this.take(T.RAngle);
    } else if (this.peek().type === T.Identifier) {
      this.qualifiedName();
    } else {
      this.take();
    }
    while (this.is(T.LBracket)) {
      this.take(T.LBracket);
      this.take(T.RBracket);
    }
  }

  private enumDeclaration(): void {
    const keyword = this.position;
    const open = keyword + 2;
    const close = this.matching(open);
    let annotated = false;
    for (let index = open; index < close; index++) {
      if (this.tokens[index]!.type === T.At) annotated = true;
    }
    const empty = close === open + 1;
    const flat =
      !annotated &&
      !this.commentsBetween(keyword, close) &&
      (empty || this.fits(this.measure(() => this.enumBody("flat"))));
    this.enumBody(flat ? "flat" : "broken");
  }

  private enumBody(mode: Mode): void {
    this.take(T.Enum);
    this.take();
    this.take(T.LBrace);
    if (mode === "broken") this.writer.depth++;
    let first = true;
    while (!this.is(T.RBrace)) {
      if (mode === "broken") {
        this.writer.statement(!first && Layout.blankBefore(this.peek()));
        this.annotationLines();
      } else if (!first) {
        this.take(T.Comma);
      }
      this.take();
      first = false;
      if (mode === "broken") {
        if (this.is(T.Comma)) this.take(T.Comma);
        else this.writer.virtual(",", T.Comma);
      } else if (this.is(T.Comma) && this.is(T.RBrace, 1)) {
        this.skip();
      }
    }
    if (mode === "broken") this.closeBlock(!first);
    else this.take(T.RBrace);
  }

  private method(): void {
    this.annotationLines();
    const start = this.position;
    const hasOneway = this.is(T.Oneway) && !this.is(T.LParen, 1);
    const open = start + (hasOneway ? 2 : 1);
    const close = this.matching(open);
    const flat =
      close === open + 1 ||
      (!this.commentsBetween(open, close) && this.fits(this.measure(() => this.signature("flat"))));
    this.signature(flat ? "flat" : "broken");
  }

  private signature(mode: Mode): void {
    if (this.is(T.Oneway) && !this.is(T.LParen, 1)) this.take(T.Oneway);
    this.take();
    this.parameters(mode);
    if (this.is(T.Colon)) {
      this.take(T.Colon);
      this.type();
    }
    if (this.is(T.Throws)) {
      this.take(T.Throws);
      this.qualifiedName();
      while (this.is(T.Comma)) {
        this.take(T.Comma);
        this.qualifiedName();
      }
    }
    this.take(T.Semicolon);
  }

  private parameters(mode: Mode): void {
    this.take(T.LParen);
    if (mode === "broken") this.writer.depth++;
    let first = true;
    while (!this.is(T.RParen)) {
      if (mode === "broken") this.writer.statement(false);
      else if (!first) this.take(T.Comma);
      this.parameter();
      first = false;
      if (mode === "broken") {
        if (this.is(T.Comma)) this.take(T.Comma);
        else this.writer.virtual(",", T.Comma);
      } else if (this.is(T.Comma) && this.is(T.RParen, 1)) {
        this.skip();
      }
    }
    if (mode === "broken") {
      this.closeParameters();
    } else {
      this.take(T.RParen);
    }
  }

  private closeParameters(): void {
    const close = this.peek();
    this.writer.commentLines(close.leading, true);
    this.writer.depth--;
    this.writer.statement(false);
    this.position++;
    this.writer.token({ ...close, leading: [] });
  }

  /** `@a name?: type`: annotations of a parameter stay on its line. */
  private parameter(): void {
    while (this.is(T.At)) this.annotation();
    this.take();
    if (this.is(T.Question)) this.take(T.Question);
    this.take(T.Colon);
    this.type();
  }
}
