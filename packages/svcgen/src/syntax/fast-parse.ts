/**
 * The fast path of parseSource: a recursive-descent parser over scan.ts's tokens that builds
 * exactly the syntax tree the chevrotain parser (parser.ts) builds for a file without
 * problems, and gives up (returns undefined) at the first thing that parser or the lexer
 * would report. Nearly every file a program loads is well formed; the others are parsed
 * again by chevrotain, whose error messages and recovery stay the only ones.
 *
 * Nodes are built with their properties in the order parser.ts gives them, so that both
 * paths print the same JSON, and each as one object literal with all of them (with and
 * without `doc`): properties added to an object after it is made go to a second, separately
 * allocated store, and a big program has millions of nodes.
 */
import type { PrimitiveName } from "../model/model.js";
import type {
  Annotation,
  CaseNode,
  DeclarationNode,
  EnumMemberNode,
  FieldNode,
  FileNode,
  ImportNode,
  Literal,
  MethodNode,
  ParamNode,
  QualifiedNameNode,
  Span,
  TypeNode,
} from "./ast.js";
import { NO_ANNOTATIONS } from "./ast.js";
import { isName, isPrimitive, Kind, scan } from "./scan.js";
import type { Scanned } from "./scan.js";

/** Deeper types are reported by parser.ts (its MAX_TYPE_DEPTH); this path leaves them to it. */
const MAX_TYPE_DEPTH = 100;

/** Thrown inside the parser when the text is not well formed; caught in parseWellFormed. */
const notWellFormed = new Error("not well formed");

/** The syntax tree of `text` if neither the lexer nor the parser would report anything. */
export function parseWellFormed(text: string): FileNode | undefined {
  const scanned = scan(text);
  if (!scanned) return undefined;
  try {
    return new WellFormedParser(scanned).file();
  } catch (error) {
    if (error === notWellFormed) return undefined;
    throw error;
  }
}

class WellFormedParser {
  private readonly text: string;
  private readonly kinds: Uint8Array;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly lines: Int32Array;
  private readonly columns: Int32Array;
  private readonly docs: ReadonlyMap<number, string>;
  /** Index of the next token. */
  private at = 0;
  /** Maps and lists in the type being read. */
  private typeNodes = 0;

  constructor(scanned: Scanned) {
    this.text = scanned.text;
    this.kinds = scanned.kinds;
    this.starts = scanned.starts;
    this.ends = scanned.ends;
    this.lines = scanned.lines;
    this.columns = scanned.columns;
    this.docs = scanned.docs;
  }

  file(): FileNode {
    let packageName = "";
    let packageSpan: Span | undefined;
    let doc: string | undefined;
    const imports: ImportNode[] = [];
    const declarations: DeclarationNode[] = [];
    if (this.peek() === Kind.Package) {
      doc = this.docs.get(this.at);
      this.at++;
      const name = this.qualifiedName();
      this.expect(Kind.Semicolon);
      packageName = name.name;
      packageSpan = name.span;
    }
    while (this.peek() === Kind.Import) {
      this.at++;
      const path = this.expect(Kind.StringLiteral);
      this.expect(Kind.Semicolon);
      imports.push({ path: this.stringValue(path), span: this.span(path) });
    }
    while (this.peek() !== Kind.EndOfFile) declarations.push(this.declaration());
    return {
      packageName,
      ...(packageSpan ? { packageSpan } : {}),
      ...(doc === undefined ? {} : { doc }),
      imports,
      declarations,
    };
  }

  private peek(): Kind {
    return this.kinds[this.at]!;
  }

  /** Consumes a token of `kind` and returns its index. */
  private expect(kind: Kind): number {
    if (this.kinds[this.at] !== kind) throw notWellFormed;
    return this.at++;
  }

  /** Consumes any identifier or keyword and returns its index. */
  private expectName(): number {
    if (!isName(this.kinds[this.at]!)) throw notWellFormed;
    return this.at++;
  }

  private image(token: number): string {
    return this.text.slice(this.starts[token]!, this.ends[token]!);
  }

  private span(token: number): Span {
    const line = this.lines[token]!;
    const column = this.columns[token]!;
    return {
      line,
      column,
      endLine: line,
      endColumn: column + this.ends[token]! - this.starts[token]!,
    };
  }

  /** From the start of `first` to the end of token `last` (the parser's joinSpans). */
  private spanTo(first: Span, last: number): Span {
    return {
      line: first.line,
      column: first.column,
      endLine: this.lines[last]!,
      endColumn: this.columns[last]! + this.ends[last]! - this.starts[last]!,
    };
  }

  /** From the start of token `first` to the end of token `last`. */
  private tokensSpan(first: number, last: number): Span {
    return {
      line: this.lines[first]!,
      column: this.columns[first]!,
      endLine: this.lines[last]!,
      endColumn: this.columns[last]! + this.ends[last]! - this.starts[last]!,
    };
  }

  private declaration(): DeclarationNode {
    const first = this.at;
    const annotations = this.annotations();
    const keyword = this.peek();
    this.at++;
    const name = this.declarationName();
    const span = this.span(name);
    this.expect(Kind.LBrace);
    let node: DeclarationNode;
    switch (keyword) {
      case Kind.Enum:
        node = { kind: "enum", name: this.image(name), span, annotations, members: this.members() };
        break;
      case Kind.Record:
      case Kind.Error: {
        const fields: FieldNode[] = [];
        while (this.peek() !== Kind.RBrace) fields.push(this.field());
        const kind = keyword === Kind.Error ? "error" : "record";
        node = { kind, name: this.image(name), span, annotations, fields };
        break;
      }
      case Kind.Union: {
        const cases: CaseNode[] = [];
        while (this.peek() !== Kind.RBrace) cases.push(this.unionCase());
        node = { kind: "union", name: this.image(name), span, annotations, cases };
        break;
      }
      case Kind.Interface:
      case Kind.Callback: {
        const methods: MethodNode[] = [];
        while (this.peek() !== Kind.RBrace) methods.push(this.method());
        const kind = keyword === Kind.Callback ? "callback" : "interface";
        node = { kind, name: this.image(name), span, annotations, methods };
        break;
      }
      default:
        throw notWellFormed;
    }
    this.at++;
    const doc = this.docs.get(first);
    if (doc !== undefined) (node as { doc?: string }).doc = doc;
    return node;
  }

  /** A declaration's name: an identifier (a keyword there is reported by parser.ts). */
  private declarationName(): number {
    return this.expect(Kind.Identifier);
  }

  /** `member {"," member} [","]` up to the closing brace, which is left for the caller. */
  private members(): EnumMemberNode[] {
    const members: EnumMemberNode[] = [];
    while (this.peek() !== Kind.RBrace) {
      const first = this.at;
      const annotations = this.annotations();
      const name = this.expectName();
      const doc = this.docs.get(first);
      members.push(
        doc === undefined
          ? { name: this.image(name), span: this.span(name), annotations }
          : { name: this.image(name), span: this.span(name), annotations, doc },
      );
      if (this.peek() === Kind.RBrace) break;
      this.expect(Kind.Comma);
    }
    return members;
  }

  private field(): FieldNode {
    const first = this.at;
    const annotations = this.annotations();
    const name = this.expectName();
    const optional = this.peek() === Kind.Question;
    if (optional) this.at++;
    this.expect(Kind.Colon);
    const type = this.type();
    this.expect(Kind.Semicolon);
    const doc = this.docs.get(first);
    return doc === undefined
      ? { name: this.image(name), span: this.span(name), annotations, optional, type }
      : { name: this.image(name), span: this.span(name), annotations, doc, optional, type };
  }

  private unionCase(): CaseNode {
    const first = this.at;
    const annotations = this.annotations();
    const name = this.expectName();
    this.expect(Kind.Colon);
    const type = this.type();
    this.expect(Kind.Semicolon);
    const doc = this.docs.get(first);
    return doc === undefined
      ? { name: this.image(name), span: this.span(name), annotations, type }
      : { name: this.image(name), span: this.span(name), annotations, doc, type };
  }

  private method(): MethodNode {
    const first = this.at;
    const annotations = this.annotations();
    // `oneway(...)` is a method named oneway: the keyword is a modifier only before a name.
    const oneway = this.peek() === Kind.Oneway && this.kinds[this.at + 1] !== Kind.LParen;
    if (oneway) this.at++;
    const name = this.expectName();
    this.expect(Kind.LParen);
    const params: ParamNode[] = [];
    while (this.peek() !== Kind.RParen) {
      params.push(this.param());
      if (this.peek() === Kind.RParen) break;
      this.expect(Kind.Comma);
    }
    this.at++;
    let returns: TypeNode | undefined;
    if (this.peek() === Kind.Colon) {
      this.at++;
      returns = this.type();
    }
    const throws: QualifiedNameNode[] = [];
    if (this.peek() === Kind.Throws) {
      this.at++;
      throws.push(this.qualifiedName());
      while (this.peek() === Kind.Comma) {
        this.at++;
        throws.push(this.qualifiedName());
      }
    }
    this.expect(Kind.Semicolon);
    const doc = this.docs.get(first);
    const image = this.image(name);
    const span = this.span(name);
    if (doc === undefined) {
      return returns
        ? { name: image, span, annotations, oneway, params, returns, throws }
        : { name: image, span, annotations, oneway, params, throws };
    }
    return returns
      ? { name: image, span, annotations, doc, oneway, params, returns, throws }
      : { name: image, span, annotations, doc, oneway, params, throws };
  }

  private param(): ParamNode {
    const first = this.at;
    const annotations = this.annotations();
    const name = this.expectName();
    const optional = this.peek() === Kind.Question;
    if (optional) this.at++;
    this.expect(Kind.Colon);
    const type = this.type();
    const doc = this.docs.get(first);
    return doc === undefined
      ? { name: this.image(name), span: this.span(name), annotations, optional, type }
      : { name: this.image(name), span: this.span(name), annotations, doc, optional, type };
  }

  private annotations(): readonly Annotation[] {
    if (this.peek() !== Kind.At) return NO_ANNOTATIONS;
    const list: Annotation[] = [];
    while (this.peek() === Kind.At) {
      const at = this.at++;
      const name = this.expectName();
      const args: Literal[] = [];
      if (this.peek() === Kind.LParen) {
        this.at++;
        args.push(this.literal());
        while (this.peek() === Kind.Comma) {
          this.at++;
          args.push(this.literal());
        }
        this.expect(Kind.RParen);
      }
      list.push({ name: this.image(name), span: this.tokensSpan(at, name), args });
    }
    return list;
  }

  private literal(): Literal {
    const token = this.at;
    const kind = this.peek();
    if (kind === Kind.IntegerLiteral) {
      this.at++;
      return { kind: "integer", value: Number(this.image(token)), span: this.span(token) };
    }
    if (kind === Kind.StringLiteral) {
      this.at++;
      return { kind: "string", value: this.stringValue(token), span: this.span(token) };
    }
    this.expectName();
    return { kind: "identifier", value: this.image(token), span: this.span(token) };
  }

  /** `Identifier {"." Identifier}` (keywords are not allowed in qualified names). */
  private qualifiedName(): QualifiedNameNode {
    const first = this.expect(Kind.Identifier);
    if (this.peek() !== Kind.Dot) return { name: this.image(first), span: this.span(first) };
    const parts = [this.image(first)];
    let last = first;
    while (this.peek() === Kind.Dot) {
      this.at++;
      last = this.expect(Kind.Identifier);
      parts.push(this.image(last));
    }
    return { name: parts.join("."), span: this.tokensSpan(first, last) };
  }

  /** A type: at most MAX_TYPE_DEPTH maps and lists in all (parser.ts reports more). */
  private type(): TypeNode {
    this.typeNodes = 0;
    return this.typeOrValue();
  }

  /** `"map" "<" "string" "," type ">" {"[" "]"}` or `baseType {"[" "]"}`. */
  private typeOrValue(): TypeNode {
    let type: TypeNode;
    if (this.peek() === Kind.Map) {
      const map = this.at++;
      this.expect(Kind.LAngle);
      // Any other key is reported by parser.ts.
      this.expect(Kind.String);
      this.expect(Kind.Comma);
      if (++this.typeNodes > MAX_TYPE_DEPTH) throw notWellFormed;
      const value = this.typeOrValue();
      const close = this.expect(Kind.RAngle);
      type = { kind: "map", value, span: this.tokensSpan(map, close) };
    } else {
      type = this.baseType();
    }
    const start = type.span;
    while (this.peek() === Kind.LBracket) {
      this.at++;
      const close = this.expect(Kind.RBracket);
      if (++this.typeNodes > MAX_TYPE_DEPTH) throw notWellFormed;
      type = { kind: "list", element: type, span: this.spanTo(start, close) };
    }
    return type;
  }

  private baseType(): TypeNode {
    const kind = this.peek();
    if (isPrimitive(kind)) {
      const token = this.at++;
      return {
        kind: "primitive",
        name: this.image(token) as PrimitiveName,
        span: this.span(token),
      };
    }
    if (kind === Kind.Void) {
      return { kind: "void", span: this.span(this.at++) };
    }
    const name = this.qualifiedName();
    return { kind: "named", name: name.name, span: name.span };
  }

  /** A string literal's value (JSON escapes); a bad escape is reported by parser.ts. */
  private stringValue(token: number): string {
    try {
      return JSON.parse(this.image(token)) as string;
    } catch {
      throw notWellFormed;
    }
  }
}
