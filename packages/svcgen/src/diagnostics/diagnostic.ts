/** One problem found in the IDL: what `svcgen check` prints and `--format json` emits. */
export interface Diagnostic {
  /** The path as given on the command line (or joined from an importer's path). */
  readonly file: string;
  /** 1-based; columns count UTF-16 code units. */
  readonly line: number;
  readonly column: number;
  /** End of the offending token, exclusive. */
  readonly endLine: number;
  readonly endColumn: number;
  readonly severity: "error" | "warning";
  /** Stable code, e.g. `SVC2003`; see docs/diagnostics.md. */
  readonly code: string;
  readonly message: string;
}

/**
 * Every diagnostic code. SVC1xxx: lexical and syntax errors (found while parsing one file);
 * SVC2xxx: semantic errors (imports, names, types, annotations). Codes never change meaning.
 */
export const Code = {
  Syntax: "SVC1001",
  UnexpectedCharacter: "SVC1002",
  UnterminatedString: "SVC1003",
  UnterminatedComment: "SVC1004",
  InvalidString: "SVC1005",
  NestingTooDeep: "SVC1006",
  MisplacedStatement: "SVC1007",
  KeywordAsName: "SVC1008",
  TooManyErrors: "SVC1009",
  ImportNotFound: "SVC2001",
  ImportCycle: "SVC2002",
  UnknownType: "SVC2003",
  MisplacedCallback: "SVC2004",
  InterfaceAsType: "SVC2005",
  OnewayResult: "SVC2006",
  ThrowsNonError: "SVC2007",
  ErrorAsValue: "SVC2008",
  Duplicate: "SVC2009",
  EmptyEnumOrUnion: "SVC2010",
  OptionalOrder: "SVC2011",
  VoidNotReturn: "SVC2012",
  UnknownAnnotation: "SVC2013",
  MisplacedAnnotation: "SVC2014",
  BadAnnotationArgs: "SVC2015",
  DuplicateAnnotation: "SVC2016",
  NotImported: "SVC2017",
  BadRateLimit: "SVC2018",
} as const;

export type CodeValue = (typeof Code)[keyof typeof Code];

/** A problem located in one file, before the file's display path is attached. */
export interface Problem {
  readonly code: CodeValue;
  readonly message: string;
  readonly span: {
    readonly line: number;
    readonly column: number;
    readonly endLine: number;
    readonly endColumn: number;
  };
}

/** Source order: by line, then column. */
export function compareProblems(a: Problem, b: Problem): number {
  return a.span.line - b.span.line || a.span.column - b.span.column;
}
