/**
 * A small code printer: lines with indentation, JSDoc from IDL docs, and imports that are
 * requested where a symbol is used and printed once, sorted and deduplicated, at the top.
 * Generators never concatenate import lines or indentation themselves.
 */

import type { Deprecation } from "../model/model.js";

/** The line width the generated code is formatted to (prettier's `printWidth`). */
export const PRINT_WIDTH = 100;

/**
 * A run of top-level statements. The emitters write code the way prettier prints it when
 * every construct fits on its line; a segment where that may not hold (a line too wide, a
 * construct prettier may respell) is marked, and only marked segments are formatted.
 */
export interface Segment {
  readonly lines: string[];
  /** True when the lines may differ from prettier's output and must be formatted. */
  needsFormatting: boolean;
}

/** The module text in pieces: `head` (header and imports) and the body's segments. */
export interface PrintedModule {
  readonly head: string;
  readonly segments: readonly Segment[];
}

/** Lines that are exactly as prettier would print them only if short and plain ASCII. */
const NON_ASCII = /[^\x00-\x7f]/;

interface ImportedSymbol {
  readonly name: string;
  readonly local: string;
  /** True while every request for the symbol was type-only. */
  typeOnly: boolean;
}

export interface ImportOptions {
  /** The symbol is used in type positions only (`import type`). */
  readonly typeOnly?: boolean;
  /** Local name to try first when `name` is already taken in the module. */
  readonly aliasHint?: string;
}

export class CodePrinter {
  private readonly segments: Segment[] = [{ lines: [], needsFormatting: false }];
  private current: Segment = this.segments[0]!;
  private depth = 0;
  /** module specifier → imported name → symbol */
  private readonly imports = new Map<string, Map<string, ImportedSymbol>>();
  /** Every top-level name of the module: its own declarations and the imported locals. */
  private readonly taken = new Set<string>();

  /**
   * `globals`: names of globals the module may use (`Date`, `Promise`, …); an import never
   * takes one of them as its local name, so a global is hidden only by the module's own
   * declarations, which are all reserved before any code is printed.
   */
  constructor(private readonly globals: ReadonlySet<string> = new Set()) {}

  /** Marks `name` as declared by the module itself, so imports of the same name get aliased. */
  reserve(name: string): void {
    this.taken.add(name);
  }

  /** True when `name` is a top-level name of the module (declared or imported). */
  isTaken(name: string): boolean {
    return this.taken.has(name);
  }

  /** Requests `name` from `from` and returns the local name to refer to it by. */
  import(from: string, name: string, options: ImportOptions = {}): string {
    let symbols = this.imports.get(from);
    if (symbols === undefined) {
      symbols = new Map();
      this.imports.set(from, symbols);
    }
    const existing = symbols.get(name);
    if (existing !== undefined) {
      if (options.typeOnly !== true) existing.typeOnly = false;
      return existing.local;
    }
    const local = this.freeName(name, options.aliasHint);
    this.taken.add(local);
    symbols.set(name, { name, local, typeOnly: options.typeOnly === true });
    return local;
  }

  private freeName(name: string, hint: string | undefined): string {
    const unavailable = (local: string) => this.taken.has(local) || this.globals.has(local);
    if (!unavailable(name)) return name;
    const base = hint ?? `${name}_`;
    let candidate = base;
    for (let n = 2; unavailable(candidate); n++) candidate = `${base}${n}`;
    return candidate;
  }

  /** Appends one line at the current indentation (an empty call appends a blank line). */
  line(text = ""): void {
    if (text === "") {
      this.current.lines.push("");
      if (this.depth === 0) this.split();
      return;
    }
    const indented = indentation(this.depth) + text;
    if (indented.length > PRINT_WIDTH || NON_ASCII.test(indented)) this.irregular();
    this.current.lines.push(indented);
  }

  /**
   * A function signature, `head(params)tail`, as prettier prints it: on one line when it
   * fits, else one parameter per line with a trailing comma. A lone parameter of an object
   * type is one prettier hugs instead, so that case is left to prettier.
   */
  signature(head: string, params: readonly string[], tail: string): void {
    const flat = `${head}(${params.join(", ")})${tail}`;
    if (params.length === 0 || this.depth * 2 + flat.length <= PRINT_WIDTH) {
      this.line(flat);
      return;
    }
    if (params.length === 1 && /:\s*\{/.test(params[0]!)) this.irregular();
    this.line(`${head}(`);
    for (const param of params) this.line(`  ${param},`);
    this.line(`)${tail}`);
  }

  /** A signature (see `signature`) opening a block: `tail` ends with `{`. */
  signatureBlock(head: string, params: readonly string[], tail: string, body: () => void): void {
    this.signature(head, params, tail);
    this.depth++;
    body();
    this.depth--;
    this.line("}");
  }

  /** Starts a new segment; call only between top-level statements. */
  split(): void {
    if (this.current.lines.length === 0) return;
    this.current = { lines: [], needsFormatting: false };
    this.segments.push(this.current);
  }

  /** Marks the current segment as one prettier has to format (see `Segment`). */
  irregular(): void {
    this.current.needsFormatting = true;
  }

  /**
   * Prints `open`, the body one level deeper, then `close`; an empty body gives one line,
   * `open` and `close` joined (`interface A {}`, `params: [],`), as prettier prints it.
   */
  block(open: string, body: () => void, close = "}"): void {
    const lines = this.current.lines;
    const at = lines.length;
    this.line(open);
    this.depth++;
    body();
    this.depth--;
    if (this.current.lines === lines && lines.length === at + 1) {
      lines.pop();
      this.line(open + close);
    } else {
      this.line(close);
    }
  }

  /** A JSDoc comment from an IDL doc and deprecation; prints nothing when both are absent. */
  jsdoc(doc: string | undefined, deprecated?: Deprecation): void {
    const text: string[] = doc === undefined || doc.trim() === "" ? [] : doc.split("\n");
    if (deprecated !== undefined) {
      text.push(deprecated === true ? "@deprecated" : `@deprecated ${deprecated}`);
    }
    if (text.length === 0) return;
    // `*/` inside a doc comment would end the comment early.
    const safe = text.map((line) => line.replace(/\*\//g, "*\\/").trimEnd());
    const body = safe.map((line) => line.replace(/^ /, ""));
    if (body.length === 1) {
      this.line(`/** ${body[0]} */`);
      return;
    }
    this.line("/**");
    for (const line of body) this.line(line === "" ? " *" : ` * ${line}`);
    this.line(" */");
  }

  /** The module text: `header` lines, the import lines, a blank line, then the body. */
  print(header: readonly string[]): string {
    const { head, segments } = this.printModule(header);
    return head + segments.map((segment) => segment.lines.join("\n") + "\n").join("");
  }

  /**
   * The module in pieces: the header and import lines with a blank line after them, then
   * the body's non-empty segments. Blank lines at the end of the body are dropped.
   */
  printModule(header: readonly string[]): PrintedModule {
    const out = [...header, ...this.importLines()];
    const head = out.length > 0 ? out.join("\n") + "\n\n" : "";
    const segments = this.segments.filter((segment) => segment.lines.length > 0);
    const last = segments[segments.length - 1];
    if (last !== undefined) {
      while (last.lines.length > 0 && last.lines[last.lines.length - 1] === "") last.lines.pop();
      if (last.lines.length === 0) segments.pop();
    }
    return { head, segments };
  }

  private importLines(): string[] {
    const lines: string[] = [];
    const modules = [...this.imports.keys()].sort(compareSpecifiers);
    for (const from of modules) {
      const symbols = [...this.imports.get(from)!.values()].sort((a, b) =>
        a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
      );
      const values = symbols.filter((s) => !s.typeOnly).map(importClause);
      const types = symbols.filter((s) => s.typeOnly).map(importClause);
      if (values.length > 0) lines.push(importLine("import", values, from));
      if (types.length > 0) lines.push(importLine("import type", types, from));
    }
    return lines;
  }
}

const INDENTATION: string[] = [];

/** Two spaces per level, made once per depth. */
function indentation(depth: number): string {
  return (INDENTATION[depth] ??= "  ".repeat(depth));
}

/** An import declaration as prettier prints it: on one line, else one name per line. */
function importLine(keyword: string, names: readonly string[], from: string): string {
  const flat = `${keyword} { ${names.join(", ")} } from "${from}";`;
  if (flat.length <= PRINT_WIDTH) return flat;
  return [`${keyword} {`, ...names.map((name) => `  ${name},`), `} from "${from}";`].join("\n");
}

function importClause(symbol: ImportedSymbol): string {
  return symbol.local === symbol.name ? symbol.name : `${symbol.name} as ${symbol.local}`;
}

/** Packages first, then relative modules; each group in code-point order. */
function compareSpecifiers(a: string, b: string): number {
  const relA = a.startsWith(".");
  const relB = b.startsWith(".");
  if (relA !== relB) return relA ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}
