/**
 * `svcgen fmt`: the one canonical layout of a .svc file (see layout.ts and docs/formatting.md).
 * Comments and doc comments are kept; formatting is idempotent, and never changes what the
 * file means: the result is parsed again and compared with the input before it is returned.
 */
import type { FileNode } from "../syntax/ast.js";
import { parseSource } from "../syntax/parse.js";
import * as T from "../syntax/tokens.js";
import { Layout } from "./layout.js";
import { withComments } from "./tokens.js";

/** The formatter produced text that means something else than its input: a bug in svcgen. */
export class FormatterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FormatterError";
  }
}

/**
 * The canonical layout of `text`, or `undefined` when it has lexical or syntax errors (those
 * are what `svcgen check` reports; semantic errors do not stop formatting). Throws
 * `FormatterError` only on a bug of the formatter, never on input.
 */
export function formatSource(text: string): string | undefined {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const parsed = parseSource(source);
  if (parsed.problems.length > 0) return undefined;
  const lexed = T.svcLexer.tokenize(source);
  const formatted = new Layout(withComments(source, lexed.tokens)).format();
  const again = parseSource(formatted);
  if (again.problems.length > 0 || !sameSyntax(parsed.file, again.file)) {
    throw new FormatterError("formatting would change the meaning of the file");
  }
  return formatted;
}

/** Two syntax trees alike but for positions: the same declarations, names, types and docs. */
export function sameSyntax(a: FileNode, b: FileNode): boolean {
  return withoutSpans(a) === withoutSpans(b);
}

function withoutSpans(file: FileNode): string {
  return JSON.stringify(file, (key, value: unknown) =>
    key === "span" || key === "packageSpan" ? undefined : value,
  );
}
