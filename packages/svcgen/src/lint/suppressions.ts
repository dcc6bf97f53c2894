/**
 * Suppression comments: `// svcgen-lint-ignore <rule>[,<rule>…] [why]` silences those rules
 * on the element that starts on the next line holding code (or, written after code, on its
 * own line); `// svcgen-lint-ignore-file <rule>[,<rule>…] [why]` anywhere silences them in
 * the whole file. Rules are named by code or name. Only `//` comments count: a `///` doc
 * comment is documentation and a block comment is prose.
 */
import { svcLexer } from "../syntax/tokens.js";
import { findRule } from "./rules.js";

export interface Suppressions {
  /** Codes silenced in the whole file. */
  readonly file: ReadonlySet<string>;
  /** Line → codes silenced on the element starting on (or covering) that line. */
  readonly lines: ReadonlyMap<number, ReadonlySet<string>>;
}

const DIRECTIVE = /^\/\/\s*svcgen-lint-ignore(-file)?(?:\s+(\S+))?/;
export const NO_SUPPRESSIONS: Suppressions = { file: new Set(), lines: new Map() };

/** The suppression comments of `text`. */
export function readSuppressions(text: string): Suppressions {
  // Most files have none: not worth lexing for.
  if (!text.includes("svcgen-lint-ignore")) return NO_SUPPRESSIONS;
  const file = new Set<string>();
  const lines = new Map<number, Set<string>>();
  const tokens = svcLexer.tokenize(text).tokens;
  let gapStart = 0;
  let line = 1;
  /** Whether a token ends on the current line: a comment there is trailing. */
  let codeOnLine = false;
  for (let index = 0; index <= tokens.length; index++) {
    const token = tokens[index];
    const gapEnd = token ? token.startOffset : text.length;
    for (let at = gapStart; at < gapEnd; at++) {
      const c = text.charCodeAt(at);
      if (c === 10 || c === 13) {
        if (c === 13 && text.charCodeAt(at + 1) === 10) at++;
        line++;
        codeOnLine = false;
      } else if (c === 47 && text.charCodeAt(at + 1) === 47) {
        let stop = at;
        while (stop < gapEnd && text.charCodeAt(stop) !== 10 && text.charCodeAt(stop) !== 13) {
          stop++;
        }
        const comment = text.slice(at, stop);
        const match = comment.startsWith("///") ? null : DIRECTIVE.exec(comment);
        if (match) {
          const codes = codesOf(match[2]);
          const target = codeOnLine ? line : token?.startLine;
          if (match[1] !== undefined) for (const code of codes) file.add(code);
          else if (target !== undefined) {
            let set = lines.get(target);
            if (!set) lines.set(target, (set = new Set()));
            for (const code of codes) set.add(code);
          }
        }
        at = stop - 1;
      } else if (c === 47 && text.charCodeAt(at + 1) === 42) {
        const close = text.indexOf("*/", at + 2);
        const stop = close === -1 || close + 2 > gapEnd ? gapEnd : close + 2;
        for (let inner = at; inner < stop; inner++) {
          const d = text.charCodeAt(inner);
          if (d === 10 || (d === 13 && text.charCodeAt(inner + 1) !== 10)) {
            line++;
            codeOnLine = false;
          }
        }
        at = stop - 1;
      }
    }
    if (!token) break;
    line = token.endLine ?? line;
    codeOnLine = true;
    gapStart = token.endOffset! + 1;
  }
  return { file, lines };
}

/** `SVC4003,method-doc` → the codes of the rules named; unknown names silence nothing. */
function codesOf(list: string | undefined): string[] {
  if (list === undefined) return [];
  const codes: string[] = [];
  for (const name of list.split(",")) {
    const rule = findRule(name.trim().replace(/:$/, ""));
    if (rule) codes.push(rule.code);
  }
  return codes;
}

/** Whether a finding of `code` spanning `firstLine`..`line` is silenced. */
export function isSuppressed(
  suppressions: Suppressions,
  code: string,
  firstLine: number,
  line: number,
): boolean {
  if (suppressions.file.has(code)) return true;
  for (let at = firstLine; at <= line; at++) {
    if (suppressions.lines.get(at)?.has(code)) return true;
  }
  return false;
}
