/**
 * Text → syntax tree of one file, with every lexical and syntax problem in source order.
 * Never throws on any input: hostile text yields diagnostics, not crashes.
 */
import { EOF } from "chevrotain";
import type { IRecognitionException, IToken } from "chevrotain";
import { Code, compareProblems } from "../diagnostics/diagnostic.js";
import type { Problem } from "../diagnostics/diagnostic.js";
import type { DeclarationNode, FileNode, ImportNode, Span } from "./ast.js";
import { parseWellFormed } from "./fast-parse.js";
import { ParseAbandoned, SvcParser, tokenSpan } from "./parser.js";
import type { Statement } from "./parser.js";
import * as T from "./tokens.js";

export { compareProblems } from "../diagnostics/diagnostic.js";

export interface ParseResult {
  readonly file: FileNode;
  readonly problems: readonly Problem[];
}

/** More syntax errors than this in one file are summarised: they are rarely useful. */
export const MAX_SYNTAX_ERRORS = 100;

/** Built once and reused: constructing a chevrotain parser analyses the whole grammar. */
let sharedParser: SvcParser | undefined;

/** Tokens that can start a top-level statement: where the parser resumes after garbage. */
const statementStarters = new Set([
  T.Package,
  T.Import,
  T.Enum,
  T.RecordKw,
  T.ErrorKw,
  T.Union,
  T.Interface,
  T.Callback,
  T.At,
]);

export function parseSource(source: string): ParseResult {
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  const wellFormed = parseWellFormed(text);
  return wellFormed ? { file: wellFormed, problems: [] } : parseWithRecovery(text);
}

/** The chevrotain lexer and parser: every problem reported, the tree recovered around them. */
export function parseWithRecovery(text: string): ParseResult {
  const problems: Problem[] = [];
  const lexed = T.svcLexer.tokenize(text);

  const lexical: Problem[] = [];
  for (const error of lexed.errors.slice(0, MAX_SYNTAX_ERRORS + 1)) {
    const char = String.fromCodePoint(text.codePointAt(error.offset) ?? 0);
    const line = error.line ?? 1;
    const column = error.column ?? 1;
    lexical.push({
      code: Code.UnexpectedCharacter,
      message: `unexpected character ${JSON.stringify(char)}`,
      span: { line, column, endLine: line, endColumn: column + char.length },
    });
  }
  for (const comment of lexed.groups["problems"] ?? []) {
    lexical.push({
      code: Code.UnterminatedComment,
      message: "unterminated comment: missing */",
      span: startSpan(comment, 2),
    });
  }
  const tokens = lexed.tokens;
  for (const token of tokens) {
    if (token.tokenType === T.UnterminatedString && lexical.length <= MAX_SYNTAX_ERRORS) {
      lexical.push({
        code: Code.UnterminatedString,
        message: "unterminated string literal",
        span: tokenSpan(token),
      });
    }
  }
  lexical.sort(compareProblems);
  // Text this broken is not worth parsing: its lexical errors say enough.
  let abandoned = lexical.length > MAX_SYNTAX_ERRORS;
  problems.push(...lexical.slice(0, MAX_SYNTAX_ERRORS));

  const parser = (sharedParser ??= new SvcParser());
  const docs = attachDocs(lexed.groups["docs"] ?? [], tokens);
  const endOfFile = endSpan(text);
  const statements: Statement[] = [];
  let start = 0;
  let syntaxErrors = problems.length;
  while (start < tokens.length && !abandoned) {
    parser.input = start === 0 ? tokens : tokens.slice(start);
    parser.docs = docs;
    parser.problems = [];
    parser.statements = statements;
    parser.errorBudget = MAX_SYNTAX_ERRORS - syntaxErrors;
    try {
      parser.file();
    } catch (error) {
      if (!(error instanceof ParseAbandoned)) throw error;
      abandoned = true;
    }
    problems.push(...parser.problems);
    syntaxErrors += parser.problems.length;
    let resumeAfter: IToken | undefined;
    for (const error of parser.errors) {
      syntaxErrors++;
      problems.push(syntaxProblem(error, endOfFile));
      if (error.name === "NotAllInputParsedException") resumeAfter = error.token;
    }
    if (!resumeAfter || syntaxErrors >= MAX_SYNTAX_ERRORS) break;
    start = nextStatementStart(tokens, resumeAfter, start);
  }
  if (abandoned || syntaxErrors >= MAX_SYNTAX_ERRORS) {
    problems.push({
      code: Code.TooManyErrors,
      message: `too many syntax errors (${MAX_SYNTAX_ERRORS}); the rest of the file was not checked`,
      span: endOfFile,
    });
  }

  problems.sort(compareProblems);
  return { file: assemble(statements, problems), problems: dedupe(problems) };
}

function syntaxProblem(error: IRecognitionException, endOfFile: Span): Problem {
  const token = error.token;
  const span =
    token.tokenType === EOF || Number.isNaN(token.startOffset) ? endOfFile : tokenSpan(token);
  return { code: Code.Syntax, message: error.message, span };
}

/** Index of the first statement-starting token after `after`. */
function nextStatementStart(tokens: readonly IToken[], after: IToken, from: number): number {
  let index = from;
  while (index < tokens.length && tokens[index]!.startOffset <= after.startOffset) index++;
  while (index < tokens.length && !statementStarters.has(tokens[index]!.tokenType)) index++;
  return index;
}

/** Package first, then imports, then declarations: out-of-order statements are reported. */
function assemble(statements: readonly Statement[], problems: Problem[]): FileNode {
  let packageName = "";
  let packageSpan: Span | undefined;
  let doc: string | undefined;
  let sawPackage = false;
  const imports: ImportNode[] = [];
  const declarations: DeclarationNode[] = [];
  const misplaced = (statement: Statement, message: string) =>
    problems.push({ code: Code.MisplacedStatement, message, span: tokenSpan(statement.first) });
  for (const statement of statements) {
    switch (statement.kind) {
      case "package":
        if (sawPackage) misplaced(statement, `a file has at most one "package" statement`);
        else if (imports.length > 0 || declarations.length > 0) {
          misplaced(statement, `"package" must come before imports and declarations`);
        } else {
          packageName = statement.name;
          packageSpan = statement.span;
          doc = docOfPackage.get(statement.first);
        }
        sawPackage = true;
        break;
      case "import":
        if (declarations.length > 0) misplaced(statement, `imports must come before declarations`);
        imports.push(statement.node);
        break;
      case "declaration":
        declarations.push(statement.node);
        break;
    }
  }
  problems.sort(compareProblems);
  return {
    packageName,
    ...(packageSpan ? { packageSpan } : {}),
    ...(doc === undefined ? {} : { doc }),
    imports,
    declarations,
  };
}

/** File docs are found through the `package` token; filled by attachDocs. */
const docOfPackage = new WeakMap<IToken, string>();

/**
 * Maps each run of consecutive `///` lines to the start offset of the token right after it.
 * A `///` that follows code on its own line documents nothing.
 */
function attachDocs(comments: readonly IToken[], tokens: readonly IToken[]): Map<number, string> {
  const docs = new Map<number, string>();
  let next = 0;
  let index = 0;
  while (index < comments.length) {
    const runStart = index;
    while (
      index + 1 < comments.length &&
      comments[index + 1]!.startLine === comments[index]!.startLine! + 1
    ) {
      index++;
    }
    const run = comments.slice(runStart, index + 1);
    index++;
    const first = run[0]!;
    while (next < tokens.length && tokens[next]!.startOffset < first.startOffset) next++;
    const previous = tokens[next - 1];
    if (previous && previous.endLine === first.startLine) continue;
    const documented = tokens[next];
    if (!documented || documented.startOffset < run[run.length - 1]!.startOffset) continue;
    const text = run.map((line) => line.image.slice(3).replace(/^ /, "").trimEnd()).join("\n");
    docs.set(documented.startOffset, text);
    if (documented.tokenType === T.Package) docOfPackage.set(documented, text);
  }
  return docs;
}

function startSpan(token: IToken, length: number): Span {
  const line = token.startLine ?? 1;
  const column = token.startColumn ?? 1;
  return { line, column, endLine: line, endColumn: column + length };
}

/** The position just past the last character: where "end of file" errors point. */
function endSpan(text: string): Span {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  const column = text.length - lineStart + 1;
  return { line, column, endLine: line, endColumn: column };
}

function dedupe(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.span.line}:${problem.span.column}:${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
