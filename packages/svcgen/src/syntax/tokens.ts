/**
 * The tokens of the .svc language: one chevrotain lexer shared by every parse.
 *
 * Keywords carry the `Name` category so the parser can accept any identifier or keyword
 * where the language allows it (field, parameter, method, member and case names), and the
 * plain `Identifier` where it does not (declaration and package names).
 */
import { createToken, Lexer } from "chevrotain";
import type { TokenType } from "chevrotain";

/** Any identifier or keyword: what member-like names accept. */
export const Name = createToken({ name: "Name", pattern: Lexer.NA });

export const Identifier = createToken({
  name: "Identifier",
  pattern: /[A-Za-z_][A-Za-z0-9_]*/,
  categories: [Name],
});

/** Every primitive type keyword: the parser consumes them as one token category. */
export const Primitive = createToken({ name: "Primitive", label: "a type", pattern: Lexer.NA });

function keyword(word: string, categories: TokenType[] = [Name]): TokenType {
  return createToken({
    name: word[0]!.toUpperCase() + word.slice(1),
    label: `"${word}"`,
    pattern: new RegExp(word),
    longer_alt: Identifier,
    categories,
  });
}

function primitive(word: string): TokenType {
  return keyword(word, [Name, Primitive]);
}

export const Package = keyword("package");
export const Import = keyword("import");
export const Enum = keyword("enum");
export const RecordKw = keyword("record");
export const ErrorKw = keyword("error");
export const Union = keyword("union");
export const Interface = keyword("interface");
export const Callback = keyword("callback");
export const Oneway = keyword("oneway");
export const Throws = keyword("throws");
export const MapKw = keyword("map");
export const Void = keyword("void");

export const Bool = primitive("bool");
export const Int32 = primitive("int32");
export const Int64 = primitive("int64");
export const Float64 = primitive("float64");
export const StringKw = primitive("string");
export const Bytes = primitive("bytes");
export const Timestamp = primitive("timestamp");
export const Json = primitive("json");

/** The primitive type keywords, in IDL order. */
export const primitiveTokens: readonly TokenType[] = [
  Bool,
  Int32,
  Int64,
  Float64,
  StringKw,
  Bytes,
  Timestamp,
  Json,
];

export const StringLiteral = createToken({
  name: "StringLiteral",
  label: "string literal",
  pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*"/,
});
/** A string that reaches the end of its line: reported, then treated as a string. */
export const UnterminatedString = createToken({
  name: "UnterminatedString",
  label: "string literal",
  pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*\\?/,
  categories: [StringLiteral],
});
export const IntegerLiteral = createToken({
  name: "IntegerLiteral",
  label: "integer",
  pattern: /-?[0-9]+/,
});

function punctuation(name: string, text: string): TokenType {
  return createToken({
    name,
    label: `"${text}"`,
    pattern: text,
  });
}

export const LBrace = punctuation("LBrace", "{");
export const RBrace = punctuation("RBrace", "}");
export const LParen = punctuation("LParen", "(");
export const RParen = punctuation("RParen", ")");
export const LBracket = punctuation("LBracket", "[");
export const RBracket = punctuation("RBracket", "]");
export const LAngle = punctuation("LAngle", "<");
export const RAngle = punctuation("RAngle", ">");
export const Semicolon = punctuation("Semicolon", ";");
export const Colon = punctuation("Colon", ":");
export const Comma = punctuation("Comma", ",");
export const Dot = punctuation("Dot", ".");
export const Question = punctuation("Question", "?");
export const At = punctuation("At", "@");

export const WhiteSpace = createToken({
  name: "WhiteSpace",
  pattern: /[ \t\r\n\f\v]+/,
  group: Lexer.SKIPPED,
});
/** `///` lines: kept aside (not given to the parser) and attached as documentation. */
export const DocComment = createToken({
  name: "DocComment",
  pattern: /\/\/\/[^\r\n]*/,
  group: "docs",
});
export const LineComment = createToken({
  name: "LineComment",
  pattern: /\/\/[^\r\n]*/,
  group: Lexer.SKIPPED,
});
export const BlockComment = createToken({
  name: "BlockComment",
  pattern: /\/\*[\s\S]*?\*\//,
  line_breaks: true,
  group: Lexer.SKIPPED,
});
/** A `/*` with no closing `*\/`: swallows the rest of the file, reported once. */
export const UnterminatedComment = createToken({
  name: "UnterminatedComment",
  pattern: /\/\*[\s\S]*/,
  line_breaks: true,
  group: "problems",
});

export const allTokens: readonly TokenType[] = [
  WhiteSpace,
  DocComment,
  LineComment,
  BlockComment,
  UnterminatedComment,
  StringLiteral,
  UnterminatedString,
  IntegerLiteral,
  Package,
  Import,
  Enum,
  RecordKw,
  ErrorKw,
  Union,
  Interface,
  Callback,
  Oneway,
  Throws,
  MapKw,
  Void,
  ...primitiveTokens,
  Identifier,
  Name,
  Primitive,
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
];

/** Built once: constructing a chevrotain lexer analyses every pattern. */
export const svcLexer = new Lexer([...allTokens], {
  positionTracking: "full",
  ensureOptimizations: true,
});
