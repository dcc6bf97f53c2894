/**
 * The TextMate grammar of editors/vscode, run by vscode-textmate (the engine VS Code uses)
 * on every .svc file of idl/: each keyword, type, name, comment, doc comment, string,
 * number and annotation gets the scope expected of it. What is expected comes from the
 * compiler's own lexer and parser, so the grammar is held to the language as implemented.
 */
import { beforeAll, describe, expect, test } from "@jest/globals";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { IToken } from "chevrotain";
import { tokenMatcher } from "chevrotain";
import * as oniguruma from "vscode-oniguruma";
import * as textmate from "vscode-textmate";
import type { IGrammar } from "vscode-textmate";
import type { Span } from "../../packages/svcgen/src/syntax/ast.js";
import { parseSource } from "../../packages/svcgen/src/syntax/parse.js";
import * as T from "../../packages/svcgen/src/syntax/tokens.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.join(here, "..", "..");
const require = createRequire(import.meta.url);

let grammar: IGrammar;

beforeAll(async () => {
  const wasm = readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName) => {
      if (scopeName !== "source.svc") return null;
      const file = path.join(repo, "editors", "vscode", "syntaxes", "svc.tmLanguage.json");
      return textmate.parseRawGrammar(readFileSync(file, "utf8"), file);
    },
  });
  grammar = (await registry.loadGrammar("source.svc"))!;
});

/** Where a scope is expected: 0-based line, 0-based column. */
interface Expectation {
  readonly line: number;
  readonly column: number;
  readonly scope: string;
  readonly what: string;
}

const keywordScopes = new Map([
  [T.Package, "keyword.other.package.svc"],
  [T.Import, "keyword.control.import.svc"],
  [T.Enum, "storage.type.enum.svc"],
  [T.RecordKw, "storage.type.record.svc"],
  [T.ErrorKw, "storage.type.error.svc"],
  [T.Union, "storage.type.union.svc"],
  [T.Interface, "storage.type.interface.svc"],
  [T.Callback, "storage.type.callback.svc"],
  [T.Oneway, "storage.modifier.oneway.svc"],
  [T.Throws, "keyword.other.throws.svc"],
  [T.MapKw, "support.type.map.svc"],
  [T.Void, "support.type.void.svc"],
]);

/** Every scope the compiler's view of `text` implies. */
function expectations(text: string): Expectation[] {
  const lexed = T.svcLexer.tokenize(text);
  const { file } = parseSource(text);
  // Names by the position of their first character; spans cover qualified names whole.
  const named: { span: Span; scope: string; what: string }[] = [];
  const add = (span: Span | undefined, scope: string, what: string) => {
    if (span) named.push({ span, scope, what });
  };
  add(file.packageSpan, "entity.name.namespace.svc", "package name");
  for (const node of file.declarations) {
    add(node.span, "entity.name.type.svc", "declaration name");
    const annotated = [node.annotations];
    const types = [];
    switch (node.kind) {
      case "enum":
        for (const member of node.members) {
          add(member.span, "variable.other.enummember.svc", "enum member");
          annotated.push(member.annotations);
        }
        break;
      case "record":
      case "error":
      case "union":
        for (const field of node.kind === "union" ? node.cases : node.fields) {
          add(field.span, "variable.other.member.svc", "field or case name");
          annotated.push(field.annotations);
          types.push(field.type);
        }
        break;
      case "interface":
      case "callback":
        for (const method of node.methods) {
          add(method.span, "entity.name.function.svc", "method name");
          annotated.push(method.annotations);
          for (const param of method.params) {
            add(param.span, "variable.other.member.svc", "parameter name");
            annotated.push(param.annotations);
            types.push(param.type);
          }
          types.push(method.returns);
          for (const thrown of method.throws)
            add(thrown.span, "entity.name.type.svc", "thrown error");
        }
        break;
    }
    for (const annotations of annotated) {
      for (const annotation of annotations) {
        add(annotation.span, "storage.type.annotation.svc", `annotation @${annotation.name}`);
      }
    }
    for (let type = types.pop(); type !== undefined || types.length > 0; type = types.pop()) {
      if (!type) continue;
      if (type.kind === "named") add(type.span, "entity.name.type.svc", "type reference");
      if (type.kind === "list") types.push(type.element);
      if (type.kind === "map") types.push(type.value);
    }
  }
  const inside = (token: IToken, span: Span) => {
    const line = token.startLine!;
    const column = token.startColumn!;
    return (
      (line > span.line || (line === span.line && column >= span.column)) &&
      (line < span.endLine || (line === span.endLine && column < span.endColumn))
    );
  };

  const found: Expectation[] = [];
  const at = (token: IToken, scope: string, what: string) =>
    found.push({ line: token.startLine! - 1, column: token.startColumn! - 1, scope, what });
  for (const token of lexed.tokens) {
    const name = named.find((entry) => inside(token, entry.span));
    const image = JSON.stringify(token.image);
    if (name && (tokenMatcher(token, T.Name) || token.tokenType === T.At)) {
      at(token, name.scope, `${name.what} ${image}`);
    } else if (keywordScopes.has(token.tokenType)) {
      at(token, keywordScopes.get(token.tokenType)!, `keyword ${image}`);
    } else if (tokenMatcher(token, T.Primitive)) {
      at(token, "support.type.primitive.svc", `primitive type ${image}`);
    } else if (tokenMatcher(token, T.StringLiteral)) {
      at(token, "string.quoted.double.svc", `string ${image}`);
    } else if (token.tokenType === T.IntegerLiteral) {
      at(token, "constant.numeric.integer.svc", `number ${image}`);
    } else if (tokenMatcher(token, T.Name)) {
      throw new Error(
        `no expectation for the name ${image} at ${token.startLine}:${token.startColumn}`,
      );
    }
  }
  for (const doc of lexed.groups["docs"] ?? [])
    at(doc, "comment.line.documentation.svc", "doc comment");
  // Comments are skipped by the lexer: they are what remains between tokens but whitespace.
  const covered = [...lexed.tokens, ...(lexed.groups["docs"] ?? [])].sort(
    (a, b) => a.startOffset - b.startOffset,
  );
  let offset = 0;
  const gaps: [number, number][] = [];
  for (const token of covered) {
    if (token.startOffset > offset) gaps.push([offset, token.startOffset]);
    offset = Math.max(offset, token.endOffset! + 1);
  }
  gaps.push([offset, text.length]);
  for (const [start, end] of gaps) {
    const gap = text.slice(start, end);
    for (const match of gap.matchAll(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g)) {
      const before = text.slice(0, start + match.index).split("\n");
      found.push({
        line: before.length - 1,
        column: before.at(-1)!.length,
        scope: match[0].startsWith("//") ? "comment.line.double-slash.svc" : "comment.block.svc",
        what: `comment ${JSON.stringify(match[0])}`,
      });
    }
  }
  return found;
}

/** The expectations the grammar does not meet, as readable lines. */
function mismatches(text: string, expected = expectations(text)): string[] {
  const lines = text.split("\n");
  const scopesByLine: textmate.IToken[][] = [];
  let state = textmate.INITIAL;
  for (const line of lines) {
    const result = grammar.tokenizeLine(line, state);
    scopesByLine.push(result.tokens);
    state = result.ruleStack;
  }
  const wrong: string[] = [];
  for (const { line, column, scope, what } of expected) {
    const token = scopesByLine[line]!.find((t) => t.startIndex <= column && column < t.endIndex);
    if (!token?.scopes.includes(scope)) {
      wrong.push(
        `${line + 1}:${column + 1} ${what}: expected ${scope}, got ${token?.scopes.join(" ") ?? "nothing"}`,
      );
    }
  }
  return wrong;
}

function svcFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) return svcFiles(full);
    return entry.name.endsWith(".svc") ? [full] : [];
  });
}

const idlFiles = svcFiles(path.join(repo, "idl")).map((file) => path.relative(repo, file));

describe("the grammar on idl/", () => {
  test("idl/ has files to check, with every construct the test classifies", () => {
    expect(idlFiles.length).toBeGreaterThanOrEqual(4);
    const all = idlFiles.map((file) => readFileSync(path.join(repo, file), "utf8")).join("\n");
    for (const construct of [
      "///",
      "@status(",
      "@deprecated(",
      "oneway",
      "throws",
      "map<",
      "[]",
      '"',
    ]) {
      expect(all).toContain(construct);
    }
  });

  test.each(idlFiles)("%s: every token gets its scope", (file) => {
    const text = readFileSync(path.join(repo, file), "utf8");
    expect(expectations(text).length).toBeGreaterThan(10);
    expect(mismatches(text)).toEqual([]);
  });
});

describe("constructs idl/ does not use", () => {
  test("block comments, escapes, keywords as names, comments inside types", () => {
    const text = [
      "/* a block",
      "   comment */ package odd.names;",
      'import "dir/\\"quoted\\".svc"; // trailing',
      "record R { record: string; oneway?: map<string, /* values */ int32[]>; }",
      "interface S {",
      "  oneway(void: bool): void;",
      "  oneway throws(a: odd.names.R);",
      "  get(): R throws E, odd.names.E;",
      "}",
      "error E { code: int64; }",
      "enum Level { Low, /* mid */ High }",
      "@status(-1) error F {}",
    ].join("\n");
    expect(mismatches(text)).toEqual([]);
  });

  test("the test itself notices a wrong scope", () => {
    const text = "package p;\nrecord R { m: Money; }\n";
    const expected = expectations(text);
    const money = expected.findIndex((e) => e.what === 'type reference "Money"');
    expect(expected[money]?.scope).toBe("entity.name.type.svc");
    expect(mismatches(text, expected)).toEqual([]);
    const wrong = expected.map((e, i) =>
      i === money ? { ...e, scope: "variable.other.member.svc" } : e,
    );
    expect(mismatches(text, wrong)).toEqual([
      '2:15 type reference "Money": expected variable.other.member.svc, got source.svc entity.name.type.svc',
    ]);
  });
});
