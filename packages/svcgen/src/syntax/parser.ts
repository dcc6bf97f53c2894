/**
 * The grammar of IDL.md as one chevrotain parser that builds the syntax tree directly
 * (embedded actions: no intermediate CST, which keeps 100k-line inputs fast).
 *
 * Types are parsed iteratively (`map<string,` prefixes counted, then the closing `>`s),
 * so 10,000 nested maps cannot exhaust the stack.
 */
import { EmbeddedActionsParser, tokenLabel, EOF } from "chevrotain";
import type {
  IOrAlt,
  IParserErrorMessageProvider,
  IRecognitionException,
  IToken,
  TokenType,
} from "chevrotain";
import type { PrimitiveName } from "../model/model.js";
import { Code } from "../diagnostics/diagnostic.js";
import type { Problem } from "../diagnostics/diagnostic.js";
import type {
  Annotation,
  CaseNode,
  DeclarationNode,
  Element,
  EnumMemberNode,
  FieldNode,
  ImportNode,
  Literal,
  MethodNode,
  ParamNode,
  QualifiedNameNode,
  Span,
  TypeNode,
} from "./ast.js";
import { NO_ANNOTATIONS } from "./ast.js";
import * as T from "./tokens.js";

/** Deeper types are rejected: generators and codecs recurse over them. */
export const MAX_TYPE_DEPTH = 100;

export type Statement =
  | { readonly kind: "package"; readonly name: string; readonly span: Span; readonly first: IToken }
  | { readonly kind: "import"; readonly node: ImportNode; readonly first: IToken }
  | { readonly kind: "declaration"; readonly node: DeclarationNode; readonly first: IToken };

/** How a token reads in a message: `";"`, `"b"` or `end of file`. */
export function describeToken(token: IToken): string {
  if (token.tokenType === EOF) return "end of file";
  return JSON.stringify(token.image.length > 40 ? token.image.slice(0, 40) + "…" : token.image);
}

function describeExpected(tokenType: TokenType): string {
  if (tokenType === EOF) return "a declaration";
  if (tokenType === T.Identifier) return "a name";
  if (tokenType === T.Name) return "a name";
  if (tokenType === T.StringLiteral) return "a string literal";
  return tokenLabel(tokenType);
}

const ruleDescriptions: Record<string, string> = {
  statement: "a declaration",
  declarationBody: "a declaration",
  type: "a type",
  baseType: "a type",
  literal: "a literal",
  member: "an enum member",
};

const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual }) {
    return `expected ${describeExpected(expected)} but found ${describeToken(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `expected a declaration but found ${describeToken(firstRedundant)}`;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, ruleName }) {
    const wanted = ruleDescriptions[ruleName] ?? alternatives(expectedPathsPerAlt);
    return `expected ${wanted} but found ${describeToken(actual[0]!)}`;
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual, ruleName }) {
    const wanted = ruleDescriptions[ruleName] ?? alternatives([expectedIterationPaths]);
    return `expected ${wanted} but found ${describeToken(actual[0]!)}`;
  },
};

function alternatives(paths: TokenType[][][]): string {
  const labels = new Set<string>();
  for (const alt of paths)
    for (const path of alt) if (path[0]) labels.add(describeExpected(path[0]));
  const list = [...labels];
  if (list.length <= 1) return list[0] ?? "something else";
  return `${list.slice(0, -1).join(", ")} or ${list[list.length - 1]}`;
}

/** The span of a token; tokens invented by error recovery have no position. */
export function tokenSpan(token: IToken, fallback?: Span): Span {
  if (Number.isNaN(token.startOffset) || token.startLine === undefined) {
    return fallback ?? { line: 1, column: 1, endLine: 1, endColumn: 1 };
  }
  return {
    line: token.startLine,
    column: token.startColumn!,
    endLine: token.endLine!,
    endColumn: token.endColumn! + 1,
  };
}

function joinSpans(first: Span, last: Span): Span {
  return {
    line: first.line,
    column: first.column,
    endLine: last.endLine,
    endColumn: last.endColumn,
  };
}

const primitiveNames = new Set<string>([
  "bool",
  "int32",
  "int64",
  "float64",
  "string",
  "bytes",
  "timestamp",
  "json",
]);

function isRecovered(token: IToken): boolean {
  return token.isInsertedInRecovery === true || Number.isNaN(token.startOffset);
}

/** Thrown out of the parser when a file has too many errors to be worth parsing further. */
export class ParseAbandoned extends Error {
  constructor() {
    super("too many syntax errors");
    this.name = "ParseAbandoned";
  }
}

export class SvcParser extends EmbeddedActionsParser {
  /** Doc comments by the start offset of the token they document. */
  docs: ReadonlyMap<number, string> = new Map();
  /** Problems found by the grammar's actions (the parser's own errors are in `errors`). */
  problems: Problem[] = [];

  constructor() {
    super([...T.allTokens], {
      recoveryEnabled: true,
      maxLookahead: 3,
      errorMessageProvider: messages,
    });
    this.performSelfAnalysis();
    // Chevrotain records every recognition error through SAVE_ERROR (not part of its typed
    // API). Past the budget the parse is abandoned: recovery on megabytes of garbage would
    // otherwise take minutes and report thousands of useless errors.
    const engine = this as unknown as {
      SAVE_ERROR(error: IRecognitionException): IRecognitionException;
      _errors: unknown[];
    };
    const save = engine.SAVE_ERROR.bind(this);
    engine.SAVE_ERROR = (error) => {
      const saved = save(error);
      if (engine._errors.length >= this.errorBudget) throw new ParseAbandoned();
      return saved;
    };
  }

  /** How many more recognition errors this parse may record before it is abandoned. */
  errorBudget = Infinity;

  private report(code: Problem["code"], message: string, span: Span): void {
    if (this.problems.length >= this.errorBudget) throw new ParseAbandoned();
    this.problems.push({ code, message, span });
  }

  private docOf(token: IToken): string | undefined {
    return this.docs.get(token.startOffset);
  }

  /** A name of a field, parameter, method, member or case: keywords allowed. */
  private memberName(token: IToken): string {
    return isRecovered(token) ? "" : token.image;
  }

  /** Statements parsed so far: kept outside the rule so a failed parse keeps what it read. */
  statements: Statement[] = [];

  public file = this.RULE("file", (): void => {
    this.MANY(() => {
      const statement = this.SUBRULE(this.statement);
      this.ACTION(() => {
        if (statement) this.statements.push(statement);
      });
    });
  });

  // The alternatives of an OR are made once (chevrotain allows it when they close over
  // nothing but the parser): a big program takes these rules hundreds of thousands of times.
  private statementAlternatives?: IOrAlt<Statement | undefined>[];
  private statement = this.RULE("statement", (): Statement | undefined =>
    this.OR(
      (this.statementAlternatives ??= [
        { ALT: () => this.SUBRULE(this.packageStatement) },
        { ALT: () => this.SUBRULE(this.importStatement) },
        { ALT: () => this.SUBRULE(this.declaration) },
      ]),
    ),
  );

  private packageStatement = this.RULE("packageStatement", (): Statement | undefined => {
    const first = this.CONSUME(T.Package);
    const name = this.SUBRULE(this.qualifiedName);
    this.CONSUME(T.Semicolon);
    return this.ACTION(() =>
      name ? { kind: "package", name: name.name, span: name.span, first } : undefined,
    );
  });

  private importStatement = this.RULE("importStatement", (): Statement | undefined => {
    const first = this.CONSUME(T.Import);
    const path = this.CONSUME(T.StringLiteral);
    this.CONSUME(T.Semicolon);
    // An unterminated path is reported by the lexer; looking the file up would only add noise.
    if (this.ACTION(() => path.tokenType === T.UnterminatedString)) return undefined;
    return this.ACTION(() => ({
      kind: "import",
      node: { path: this.stringValue(path), span: tokenSpan(path) },
      first,
    }));
  });

  private declaration = this.RULE("declaration", (): Statement | undefined => {
    const first = this.LA(1);
    const annotations = this.SUBRULE(this.annotations);
    const node = this.SUBRULE(this.declarationBody);
    return this.ACTION(() => {
      if (!node) return undefined;
      const doc = this.docOf(first);
      const withMeta = {
        ...node,
        annotations: annotations ?? [],
        ...(doc === undefined ? {} : { doc }),
      };
      return { kind: "declaration", node: withMeta, first } satisfies Statement;
    });
  });

  private declarationBodyAlternatives?: IOrAlt<DeclarationNode | undefined>[];
  private declarationBody = this.RULE("declarationBody", (): DeclarationNode | undefined =>
    this.OR(
      (this.declarationBodyAlternatives ??= [
        { ALT: () => this.SUBRULE(this.enumBody) },
        { ALT: () => this.SUBRULE(this.recordBody) },
        { ALT: () => this.SUBRULE(this.unionBody) },
        { ALT: () => this.SUBRULE(this.methodsBody) },
      ]),
    ),
  );

  /** A declaration's name: an identifier, not a keyword. */
  private declarationName = this.RULE("declarationName", (): { name: string; span: Span } => {
    const token = this.CONSUME(T.Name);
    return this.ACTION(() => {
      const span = tokenSpan(token);
      if (isRecovered(token)) return { name: "", span };
      if (token.tokenType !== T.Identifier) {
        this.report(
          Code.KeywordAsName,
          `"${token.image}" is a keyword and cannot name a declaration`,
          span,
        );
      }
      return { name: token.image, span };
    });
  });

  private enumBody = this.RULE("enumBody", (): DeclarationNode => {
    this.CONSUME(T.Enum);
    const name = this.SUBRULE(this.declarationName);
    const members: EnumMemberNode[] = [];
    this.CONSUME(T.LBrace);
    this.OPTION(() => {
      const first = this.SUBRULE(this.member);
      this.ACTION(() => first && members.push(first));
      this.MANY(() => {
        this.CONSUME(T.Comma);
        const next = this.SUBRULE2(this.member);
        this.ACTION(() => next && members.push(next));
      });
      this.OPTION2(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RBrace);
    return this.ACTION(() => ({ kind: "enum", ...this.named(name), annotations: [], members }));
  });

  private member = this.RULE("member", (): EnumMemberNode => {
    const first = this.LA(1);
    const annotations = this.SUBRULE(this.annotations);
    const token = this.CONSUME(T.Name);
    return this.ACTION(() => this.element(first, token, annotations));
  });

  private recordBody = this.RULE("recordBody", (): DeclarationNode => {
    const keyword = this.OR([
      { ALT: () => this.CONSUME(T.RecordKw) },
      { ALT: () => this.CONSUME(T.ErrorKw) },
    ]);
    const name = this.SUBRULE(this.declarationName);
    const fields: FieldNode[] = [];
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      const field = this.SUBRULE(this.field);
      this.ACTION(() => {
        if (field) fields.push(field);
      });
    });
    this.CONSUME(T.RBrace);
    return this.ACTION(() => ({
      kind: keyword.tokenType === T.ErrorKw ? "error" : "record",
      ...this.named(name),
      annotations: [],
      fields,
    }));
  });

  private field = this.RULE("field", (): FieldNode | undefined => {
    const first = this.LA(1);
    const annotations = this.SUBRULE(this.annotations);
    const token = this.CONSUME(T.Name);
    const question = this.OPTION(() => this.CONSUME(T.Question));
    this.CONSUME(T.Colon);
    const type = this.SUBRULE(this.type);
    this.CONSUME(T.Semicolon);
    return this.ACTION(() =>
      this.element(first, token, annotations, { optional: question !== undefined, type }),
    );
  });

  private unionBody = this.RULE("unionBody", (): DeclarationNode => {
    this.CONSUME(T.Union);
    const name = this.SUBRULE(this.declarationName);
    const cases: CaseNode[] = [];
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      const unionCase = this.SUBRULE(this.unionCase);
      this.ACTION(() => {
        if (unionCase) cases.push(unionCase);
      });
    });
    this.CONSUME(T.RBrace);
    return this.ACTION(() => ({ kind: "union", ...this.named(name), annotations: [], cases }));
  });

  private unionCase = this.RULE("unionCase", (): CaseNode | undefined => {
    const first = this.LA(1);
    const annotations = this.SUBRULE(this.annotations);
    const token = this.CONSUME(T.Name);
    this.CONSUME(T.Colon);
    const type = this.SUBRULE(this.type);
    this.CONSUME(T.Semicolon);
    return this.ACTION(() => this.element(first, token, annotations, { type }));
  });

  private methodsBody = this.RULE("methodsBody", (): DeclarationNode => {
    const keyword = this.OR([
      { ALT: () => this.CONSUME(T.Interface) },
      { ALT: () => this.CONSUME(T.Callback) },
    ]);
    const name = this.SUBRULE(this.declarationName);
    const methods: MethodNode[] = [];
    this.CONSUME(T.LBrace);
    this.MANY(() => {
      const method = this.SUBRULE(this.method);
      this.ACTION(() => {
        if (method) methods.push(method);
      });
    });
    this.CONSUME(T.RBrace);
    return this.ACTION(() => ({
      kind: keyword.tokenType === T.Callback ? "callback" : "interface",
      ...this.named(name),
      annotations: [],
      methods,
    }));
  });

  private method = this.RULE("method", (): MethodNode | undefined => {
    const first = this.LA(1);
    const annotations = this.SUBRULE(this.annotations);
    // `oneway(...)` is a method named oneway: the keyword is a modifier only before a name.
    // (Chevrotain's lookahead does not see that "oneway" is also a Name, hence the gate.)
    const oneway = this.OPTION({
      GATE: () => this.LA(2).tokenType !== T.LParen,
      DEF: () => this.CONSUME(T.Oneway),
    });
    const token = this.CONSUME(T.Name);
    const params: ParamNode[] = [];
    this.CONSUME(T.LParen);
    this.OPTION2(() => {
      const param = this.SUBRULE(this.param);
      this.ACTION(() => param && params.push(param));
      this.MANY(() => {
        this.CONSUME(T.Comma);
        const next = this.SUBRULE2(this.param);
        this.ACTION(() => next && params.push(next));
      });
      this.OPTION3(() => this.CONSUME2(T.Comma));
    });
    this.CONSUME(T.RParen);
    let returns: TypeNode | undefined;
    this.OPTION4(() => {
      this.OR2([
        {
          ALT: () => {
            this.CONSUME(T.Colon);
            returns = this.SUBRULE(this.type);
          },
        },
        {
          // `get(id: string) Item;`: one precise error for the missing ":", and the type is
          // still read, so what follows it is not misparsed as another method.
          ALT: () => {
            const found = this.LA(1);
            this.ACTION(() =>
              this.report(
                Code.Syntax,
                `expected ":" but found ${describeToken(found)}`,
                tokenSpan(found),
              ),
            );
            returns = this.SUBRULE2(this.type);
          },
        },
      ]);
    });
    const throws: QualifiedNameNode[] = [];
    this.OPTION5(() => {
      this.CONSUME(T.Throws);
      const thrown = this.SUBRULE(this.qualifiedName);
      this.ACTION(() => thrown && throws.push(thrown));
      this.MANY2(() => {
        this.CONSUME3(T.Comma);
        const next = this.SUBRULE2(this.qualifiedName);
        this.ACTION(() => next && throws.push(next));
      });
    });
    this.CONSUME(T.Semicolon);
    return this.ACTION(() =>
      this.element(first, token, annotations, {
        oneway: oneway !== undefined,
        params,
        returns,
        throws,
      }),
    );
  });

  private param = this.RULE("param", (): ParamNode => {
    const first = this.LA(1);
    const annotations = this.SUBRULE(this.annotations);
    const token = this.CONSUME(T.Name);
    const question = this.OPTION(() => this.CONSUME(T.Question));
    this.CONSUME(T.Colon);
    const type = this.SUBRULE(this.type);
    return this.ACTION(() =>
      this.element(first, token, annotations, { optional: question !== undefined, type }),
    );
  });

  private annotations = this.RULE("annotations", (): readonly Annotation[] => {
    // Most elements have no annotation: they share one empty list.
    let list: Annotation[] | undefined;
    this.MANY(() => {
      const at = this.CONSUME(T.At);
      const name = this.CONSUME(T.Name);
      const args: Literal[] = [];
      this.OPTION(() => {
        this.CONSUME(T.LParen);
        const arg = this.SUBRULE(this.literal);
        this.ACTION(() => arg && args.push(arg));
        this.MANY2(() => {
          this.CONSUME(T.Comma);
          const next = this.SUBRULE2(this.literal);
          this.ACTION(() => next && args.push(next));
        });
        this.CONSUME(T.RParen);
      });
      this.ACTION(() => {
        const span = tokenSpan(name, tokenSpan(at));
        (list ??= []).push({
          name: this.memberName(name),
          span: joinSpans(tokenSpan(at), span),
          args,
        });
      });
    });
    return list ?? NO_ANNOTATIONS;
  });

  private literal = this.RULE("literal", (): Literal => {
    const token = this.OR([
      { ALT: () => this.CONSUME(T.StringLiteral) },
      { ALT: () => this.CONSUME(T.IntegerLiteral) },
      { ALT: () => this.CONSUME(T.Name) },
    ]);
    return this.ACTION((): Literal => {
      const span = tokenSpan(token);
      if (token.tokenType === T.IntegerLiteral) {
        return { kind: "integer", value: Number(token.image), span };
      }
      if (token.tokenType === T.StringLiteral || token.tokenType === T.UnterminatedString) {
        return { kind: "string", value: this.stringValue(token), span };
      }
      return { kind: "identifier", value: token.image, span };
    });
  });

  private qualifiedName = this.RULE("qualifiedName", (): QualifiedNameNode => {
    const first = this.CONSUME(T.Identifier);
    let last = first;
    const parts: string[] = [];
    this.ACTION(() => parts.push(first.image));
    this.MANY(() => {
      this.CONSUME(T.Dot);
      const next = this.CONSUME2(T.Identifier);
      this.ACTION(() => {
        parts.push(next.image);
        if (!isRecovered(next)) last = next;
      });
    });
    return this.ACTION(() => {
      const firstSpan = tokenSpan(first);
      if (isRecovered(first)) return { name: "", span: firstSpan };
      return { name: parts.join("."), span: joinSpans(firstSpan, tokenSpan(last, firstSpan)) };
    });
  });

  /**
   * `type = baseType {"[" "]"}` with `baseType` possibly `map<string, type>`, parsed without
   * recursion: count the `map<string,` openers, read the innermost base type, then one `>`
   * (and its array suffixes) per opener.
   */
  private type = this.RULE("type", (): TypeNode | undefined => {
    // Most types are one name: the lists are made only when there is something to put in.
    let openers: IToken[] | undefined;
    this.MANY(() => {
      const map = this.CONSUME(T.MapKw);
      this.CONSUME(T.LAngle);
      // Any name is accepted as the key so a wrong key type gets a precise message.
      const key = this.CONSUME(T.Name);
      this.CONSUME(T.Comma);
      this.ACTION(() => {
        (openers ??= []).push(map);
        if (key.tokenType !== T.StringKw && !isRecovered(key)) {
          this.report(
            Code.Syntax,
            `map keys must be "string" but found "${key.image}"`,
            tokenSpan(key),
          );
        }
      });
    });
    const base = this.SUBRULE(this.baseType);
    let arrays: IToken[][] | undefined;
    this.MANY2(() => {
      this.CONSUME(T.LBracket);
      const close = this.CONSUME(T.RBracket);
      this.ACTION(() => (arrays ??= [[]])[0]!.push(close));
    });
    let closers: IToken[] | undefined;
    this.MANY3(() => {
      const close = this.CONSUME(T.RAngle);
      this.ACTION(() => {
        (closers ??= []).push(close);
        (arrays ??= [[]]).push([]);
      });
      this.MANY4(() => {
        this.CONSUME2(T.LBracket);
        const bracket = this.CONSUME2(T.RBracket);
        this.ACTION(() => arrays![arrays!.length - 1]!.push(bracket));
      });
    });
    return this.ACTION(() => {
      if (!openers && !arrays && !closers) return base;
      return this.buildType(openers ?? [], base, arrays ?? [[]], closers ?? []);
    });
  });

  private baseTypeAlternatives?: IOrAlt<TypeNode | undefined>[];
  private baseType = this.RULE("baseType", (): TypeNode | undefined =>
    this.OR(
      (this.baseTypeAlternatives ??= [
        {
          ALT: () => {
            const token = this.CONSUME(T.Primitive);
            return this.ACTION((): TypeNode | undefined =>
              primitiveNames.has(token.image)
                ? { kind: "primitive", name: token.image as PrimitiveName, span: tokenSpan(token) }
                : undefined,
            );
          },
        },
        {
          ALT: () => {
            const token = this.CONSUME(T.Void);
            return this.ACTION((): TypeNode => ({ kind: "void", span: tokenSpan(token) }));
          },
        },
        {
          ALT: () => {
            const name = this.SUBRULE(this.qualifiedName);
            return this.ACTION((): TypeNode | undefined =>
              !name || name.name === ""
                ? undefined
                : { kind: "named", name: name.name, span: name.span },
            );
          },
        },
      ]),
    ),
  );

  private buildType(
    openers: readonly IToken[],
    base: TypeNode | undefined,
    arrays: readonly IToken[][],
    closers: readonly IToken[],
  ): TypeNode | undefined {
    let depth = openers.length;
    for (const level of arrays) depth += level.length;
    if (depth > MAX_TYPE_DEPTH) {
      const at = openers[MAX_TYPE_DEPTH] ?? openers[0] ?? arrays[0]?.[0];
      this.report(
        Code.NestingTooDeep,
        `type is nested more than ${MAX_TYPE_DEPTH} levels deep`,
        at ? tokenSpan(at) : (base?.span ?? tokenSpan(this.LA(1))),
      );
      return undefined;
    }
    for (const extra of closers.slice(openers.length)) {
      this.report(Code.Syntax, `unmatched ">"`, tokenSpan(extra));
    }
    if (closers.length < openers.length) {
      const next = this.LA(1);
      this.report(Code.Syntax, `expected ">" but found ${describeToken(next)}`, tokenSpan(next));
    }
    if (!base) return undefined;
    const wrapLists = (type: TypeNode, brackets: readonly IToken[]): TypeNode => {
      let result = type;
      for (const bracket of brackets) {
        result = { kind: "list", element: result, span: joinSpans(type.span, tokenSpan(bracket)) };
      }
      return result;
    };
    let type = wrapLists(base, arrays[0] ?? []);
    for (let level = openers.length - 1; level >= 0; level--) {
      const closer = closers[openers.length - 1 - level];
      const start = tokenSpan(openers[level]!);
      const span = closer ? joinSpans(start, tokenSpan(closer)) : start;
      type = { kind: "map", value: type, span };
      type = wrapLists(type, arrays[openers.length - level] ?? []);
    }
    return type;
  }

  /** A declaration's name, or the "" placeholder when recovery skipped it. */
  private named(name: { name: string; span: Span } | undefined): { name: string; span: Span } {
    return name ?? { name: "", span: tokenSpan(this.LA(0)) };
  }

  /**
   * A member-like node: its name, span, annotations and doc, then `extra`'s properties, of
   * which an undefined one is left out. Built as one object, not spread from several: a big
   * program has hundreds of thousands of these.
   */
  private element<Extra extends object>(
    first: IToken,
    name: IToken,
    annotations: readonly Annotation[] | undefined,
    extra?: Extra,
  ): Element & { [K in keyof Extra]: Exclude<Extra[K], undefined> } {
    const node: Record<string, unknown> = {
      name: this.memberName(name),
      // tokenSpan(name, tokenSpan(first)), without making the fallback span every time.
      span:
        Number.isNaN(name.startOffset) || name.startLine === undefined
          ? tokenSpan(first)
          : tokenSpan(name),
      annotations: annotations ?? [],
    };
    const doc = this.docOf(first);
    if (doc !== undefined) node["doc"] = doc;
    if (extra) {
      for (const key in extra) if (extra[key] !== undefined) node[key] = extra[key];
    }
    return node as Element & { [K in keyof Extra]: Exclude<Extra[K], undefined> };
  }

  /** The value of a string literal (JSON escapes); bad escapes are reported. */
  private stringValue(token: IToken): string {
    if (isRecovered(token)) return "";
    const text = token.tokenType === T.UnterminatedString ? token.image + '"' : token.image;
    try {
      return JSON.parse(text) as string;
    } catch {
      if (token.tokenType !== T.UnterminatedString) {
        this.report(Code.InvalidString, `invalid escape in string literal`, tokenSpan(token));
      }
      return token.image.slice(1, -1);
    }
  }
}
